using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OpenVeracruz.Platform.Downloads;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Tests.Downloads;

/// <summary>GeoPackage, zipped Shapefile and KML downloads, each opened by GDAL (what QGIS uses) and compared with the database.</summary>
[Collection(nameof(Doors))]
public sealed partial class GisDownloadTests(Doors f) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("ov-gis-downloads");
    public void Dispose() => _dir.Delete(recursive: true);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The DBF names of the cadastre: cut to 10 characters, the second "constructi" renamed.</summary>
    private static readonly string[] ParcelDbfNames = ["clave", "zone", "block", "lot", "locality_c", "locality", "land_use", "land_area_",
        "built_area", "valuation_", "constructi", "land_value", "construc_1", "cadastral_"];

    public static TheoryData<string, string> LayersAndFormats() => new()
    {
        { "localities", "gpkg" }, { "localities", "shp.zip" }, { "localities", "kml" },
        { "parcels", "gpkg" }, { "parcels", "shp.zip" }, { "parcels", "kml" },
    };

    public static TheoryData<string> Formats() => new() { "gpkg", "shp.zip", "kml" };

    private LayerDefinition Layer(string id) => f.Services.GetRequiredService<LayerRegistry>().Find(id)!;

    private static string MediaType(string ext) => ext switch
    {
        "gpkg" => "application/geopackage+sqlite3",
        "shp.zip" => "application/zip",
        _ => "application/vnd.google-earth.kml+xml",
    };

    /// <summary>Downloads a layer to the test's folder, checking the media type and the attachment name.</summary>
    private async Task<string> DownloadAsync(string layer, string ext)
    {
        using var response = await f.Http.GetAsync($"/downloads/{layer}.{ext}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MediaType(ext), response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{layer}.{ext}", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var path = Path.Combine(_dir.FullName, $"{layer}.{ext}");
        await using (var file = File.Create(path)) await response.Content.CopyToAsync(file);
        return path;
    }

    /// <summary>The GDAL data source and layer name of a downloaded file (KML layers are named after the document: the title).</summary>
    private static (string Source, string Layer) GdalSource(string path, string ext, LayerDefinition layer) => ext switch
    {
        "shp.zip" => ("/vsizip/" + path, layer.Id),
        "kml" => (path, layer.Title),
        _ => (path, layer.Id),
    };

    /// <summary>What GDAL should report for each public property: GeoPackage keeps names and types, a shapefile cuts
    /// names to 10 characters and sizes integers to their values (all under 10 digits here), KML carries text.</summary>
    private static List<(string Name, string Type)> ExpectedFields(LayerDefinition layer, string ext) =>
        layer.Properties.Select((p, i) => ext switch
        {
            "gpkg" => (p.Name, p.Type switch { "integer" => "Integer64", "number" => "Real", "date" => "Date", _ => "String" }),
            "shp.zip" => (layer.Id == "parcels" ? ParcelDbfNames[i] : p.Name, p.Type switch { "integer" => "Integer", "number" => "Real", "date" => "Date", _ => "String" }),
            _ => (p.Name, "String"),
        }).ToList();

    [GeneratedRegex(@"^(\w+): (\w+) \(", RegexOptions.Multiline)]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^\s+(\w+) \((\w+)\) = (.*)$", RegexOptions.Multiline)]
    private static partial Regex ValueLine();

    [GeneratedRegex(@"^\s+((?:MULTI)?POLYGON .*)$", RegexOptions.Multiline)]
    private static partial Regex GeometryLine();

    private static async Task<string> OgrinfoAsync(params string[] args)
    {
        var (exit, output) = await Gdal.RunAsync("ogrinfo", ["-ro", .. args]);
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("ERROR", output);
        Assert.DoesNotContain("Warning", output);
        return output;
    }

    /// <summary>One feature as GDAL reads it: its attributes by field name and its geometry.</summary>
    private static async Task<(Dictionary<string, string> Values, Geometry Geometry)> FeatureAsync(string source, string layer, string where)
    {
        var output = await OgrinfoAsync("-al", "-where", where, source, layer);
        Assert.Single(Regex.Matches(output, @"^OGRFeature\(", RegexOptions.Multiline));
        var values = ValueLine().Matches(output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[3].Value.TrimEnd());
        var geometry = new WKTReader().Read(GeometryLine().Match(output).Groups[1].Value);
        return (values, geometry);
    }

    [Theory]
    [MemberData(nameof(LayersAndFormats))]
    public async Task Gdal_reads_every_feature_with_typed_fields_in_wgs84(string id, string ext)
    {
        var layer = Layer(id);
        var (source, name) = GdalSource(await DownloadAsync(id, ext), ext, layer);
        var summary = await OgrinfoAsync("-so", source, name);

        var expectedCount = await f.ScalarAsync<long>($"SELECT count(*) FROM {layer.QualifiedTable}");
        Assert.Contains($"Feature Count: {expectedCount}\n", summary);
        var fields = FieldLine().Matches(summary).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        var expected = ExpectedFields(layer, ext);
        if (ext == "kml")
        {
            // LIBKML adds its own fields (Name, description, timestamp, …) before the data
            Assert.Contains(("Name", "String"), fields);
            fields = fields.Where(x => expected.Any(e => e.Name == x.Item1)).ToList();
        }
        Assert.Equal(expected, fields);
        Assert.Contains("GEOGCRS[\"WGS 84\"", summary);
        Assert.Contains("ID[\"EPSG\",4326]", summary);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Accented_names_read_back_intact(string ext)
    {
        var layer = Layer("localities");
        var key = await f.ScalarAsync<string>($"SELECT cvegeo FROM {layer.QualifiedTable} WHERE nom_loc = @n ORDER BY cvegeo LIMIT 1", ("n", "Boca del Río"));
        var (source, name) = GdalSource(await DownloadAsync(layer.Id, ext), ext, layer);
        var (values, _) = await FeatureAsync(source, name, ext == "kml" ? $"Name = '{key}'" : $"cvegeo = '{key}'");
        Assert.Equal("Boca del Río", values["nom_loc"]);
        Assert.Equal(key, values["cvegeo"]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_parcel_keeps_its_geometry_area_and_values(string ext)
    {
        var layer = Layer("parcels");
        var (clave, _, _) = await f.SomeParcelAsync();
        await using var cmd = f.Db.CreateCommand(
            "SELECT ST_AsText(geom), ST_Area(ST_Transform(geom, 32614)), land_area_m2, cadastral_value::double precision, land_use FROM cadastre.parcels WHERE clave = @c");
        cmd.Parameters.AddWithValue("c", clave);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        var (dbGeometry, dbArea, landArea, cadastralValue, landUse) = (new WKTReader().Read(r.GetString(0)), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetString(4));

        var (source, name) = GdalSource(await DownloadAsync(layer.Id, ext), ext, layer);
        var (values, geometry) = await FeatureAsync(source, name, $"clave = '{clave}'");
        var field = ExpectedFields(layer, ext).Select(x => x.Name).ToList();
        string Value(string property) => values[field[layer.Properties.ToList().FindIndex(p => p.Name == property)]];

        Assert.Equal(landUse, Value("land_use"));
        Assert.Equal(landArea, double.Parse(Value("land_area_m2"), Inv), 9);
        Assert.Equal(cadastralValue, double.Parse(Value("cadastral_value"), Inv), 6);
        // KML carries 7 decimals (≈ 1 cm); the binary formats carry the stored doubles
        var tolerance = ext == "kml" ? 1e-7 : 1e-12;
        Assert.True(geometry.Normalized().EqualsExact(dbGeometry.Normalized(), tolerance), $"{geometry} vs {dbGeometry}");
        var metric = Crs.Reproject(geometry, Crs.Transform(Crs.Crs84, Crs.Utm14N), Crs.MetricSrid);
        Assert.Equal(dbArea, metric.Area, ext == "kml" ? 0.5 : 0.001);
        Assert.Equal(landArea, metric.Area, 0.01 + (ext == "kml" ? 0.5 : 0));
    }

    /// <summary>Reads the polygon records of a .shp: for every part, whether its points turn clockwise.</summary>
    private static List<bool> PartsClockwise(byte[] shp)
    {
        int Int(int at) => BinaryPrimitives.ReadInt32LittleEndian(shp.AsSpan(at));
        double Double(int at) => BinaryPrimitives.ReadDoubleLittleEndian(shp.AsSpan(at));
        var result = new List<bool>();
        for (var at = 100; at < shp.Length;)
        {
            var c = at + 8; // record content
            at = c + BinaryPrimitives.ReadInt32BigEndian(shp.AsSpan(c - 4)) * 2;
            Assert.Equal(5, Int(c)); // Polygon
            int parts = Int(c + 36), points = Int(c + 40), xy = c + 44 + 4 * parts;
            var starts = Enumerable.Range(0, parts).Select(i => Int(c + 44 + 4 * i)).Append(points).ToArray();
            for (var p = 0; p < parts; p++)
            {
                var sum = 0.0;
                for (var i = starts[p]; i < starts[p + 1] - 1; i++)
                    sum += Double(xy + 16 * i) * Double(xy + 16 * (i + 1) + 8) - Double(xy + 16 * (i + 1)) * Double(xy + 16 * i + 8);
                result.Add(sum < 0);
            }
        }
        return result;
    }

    [Theory]
    [InlineData("parcels")]
    [InlineData("localities")]
    public async Task Shapefile_outer_rings_turn_clockwise_and_text_is_declared_utf8(string id)
    {
        var layer = Layer(id);
        var path = await DownloadAsync(id, "shp.zip");
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(new[] { ".cpg", ".dbf", ".prj", ".shp", ".shx" }.Select(e => id + e), zip.Entries.Select(e => e.FullName).Order());
        using (var cpg = new StreamReader(zip.GetEntry(id + ".cpg")!.Open())) Assert.Equal("UTF-8", await cpg.ReadToEndAsync());
        using var shp = new MemoryStream();
        await using (var s = zip.GetEntry(id + ".shp")!.Open()) await s.CopyToAsync(shp);

        var clockwise = PartsClockwise(shp.ToArray());
        await using var cmd = f.Db.CreateCommand($"SELECT sum(ST_NumGeometries(geom)), sum(ST_NRings(geom) - ST_NumGeometries(geom)) FROM {layer.QualifiedTable}");
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        Assert.Equal(r.GetInt64(0), clockwise.Count(cw => cw)); // one clockwise ring per polygon
        Assert.Equal(r.GetInt64(1), clockwise.Count(cw => !cw)); // holes, counter-clockwise
    }

    [Fact]
    public async Task Parcels_are_stored_counter_clockwise_so_the_shapefile_reverses_them()
    {
        // the premise that makes the orientation test above meaningful for the cadastre
        Assert.True(await f.ScalarAsync<bool>("SELECT bool_and(ST_IsPolygonCCW(geom)) FROM cadastre.parcels"));
    }

    [Fact]
    public async Task Shapefile_holes_turn_counter_clockwise_and_gdal_keeps_them_inside()
    {
        // a shell written counter-clockwise and a hole written clockwise: both the wrong way round for ESRI
        var gf = new GeometryFactory(new PrecisionModel(), Crs.StorageSrid);
        Coordinate[] Ring(params double[] xy) => Enumerable.Range(0, xy.Length / 2).Select(i => new Coordinate(xy[2 * i], xy[2 * i + 1])).ToArray();
        var polygon = gf.CreatePolygon(gf.CreateLinearRing(Ring(-96.14, 19.19, -96.13, 19.19, -96.13, 19.20, -96.14, 19.20, -96.14, 19.19)),
            [gf.CreateLinearRing(Ring(-96.138, 19.192, -96.138, 19.198, -96.132, 19.198, -96.132, 19.192, -96.138, 19.192))]);
        var shp = Path.Combine(_dir.FullName, "holes.shp");
        using (var shapes = new ShapeWriter(shp, Path.ChangeExtension(shp, ".shx"), ShapeType.Polygon))
        using (var table = new DbfWriter(Path.ChangeExtension(shp, ".dbf"), [new DbfField("name", 'C', 10, 0)]))
        {
            shapes.Write(polygon);
            table.Write(["con hueco"]);
            shapes.Complete();
            table.Complete();
        }
        Assert.Equal([true, false], PartsClockwise(await File.ReadAllBytesAsync(shp)));
        var (values, geometry) = await FeatureAsync(shp, "holes", "name = 'con hueco'");
        var read = Assert.IsType<Polygon>(geometry);
        Assert.Equal(1, read.NumInteriorRings);
        Assert.Equal(polygon.Area, read.Area, 12);
        Assert.Equal("con hueco", values["name"]);
    }

    [Fact]
    public async Task Geopackage_has_an_rtree_that_finds_a_window_of_parcels()
    {
        var path = await DownloadAsync("parcels", "gpkg");
        var index = await OgrinfoAsync(path, "-sql", "SELECT HasSpatialIndex('parcels', 'geom')");
        Assert.Matches(@"HasSpatialIndex\S* \(Integer\) = 1", index);

        var (_, lon, lat) = await f.SomeParcelAsync();
        double x1 = lon - 0.002, y1 = lat - 0.002, x2 = lon + 0.002, y2 = lat + 0.002;
        var expected = await f.ScalarAsync<long>("SELECT count(*) FROM cadastre.parcels WHERE ST_Intersects(geom, ST_MakeEnvelope(@x1, @y1, @x2, @y2, 4326))",
            ("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2));
        var window = await OgrinfoAsync("-al", "-geom=NO", "-spat", x1.ToString(Inv), y1.ToString(Inv), x2.ToString(Inv), y2.ToString(Inv), path, "parcels");
        Assert.True(expected > 10, "the window holds several parcels");
        Assert.Equal(expected, Regex.Matches(window, @"^OGRFeature\(parcels\)", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void Dbf_names_are_cut_to_ten_characters_and_made_unique_in_order()
    {
        Assert.Equal(["constructi", "construc_1", "construc_2", "pob", "locality_c", "locality_1"],
            DbfWriter.FieldNames(["construction_type", "construction_value", "construc_1", "pob", "locality_cvegeo", "locality_c"]));
    }

    [Theory]
    [InlineData("/downloads/nope.gpkg")]
    [InlineData("/downloads/nope.shp.zip")]
    [InlineData("/downloads/nope.kml")]
    public async Task Unknown_layers_are_404_problems(string url)
    {
        var problem = await ProblemAssert.IsProblemAsync(await f.Http.GetAsync(url), HttpStatusCode.NotFound);
        Assert.Contains("nope", problem.GetProperty("detail_es").GetString());
    }
}
