using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>
/// Staff uploads through resource_create / resource_update, imported by the real job (in-process: Jobs:Enabled is
/// false in the tests) and served by every door. Each test removes its datasets, tables, layers and files.
/// </summary>
[Collection(nameof(CatalogWrites))]
public partial class UploadTests(CatalogWrites f)
{
    static UploadTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private HttpClient WithToken(string token)
    {
        var c = f.NewClient();
        c.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", token);
        return c;
    }

    private async Task<HttpClient> EditorAsync() => WithToken((await f.StaffAsync("editor")).Token);

    private static Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpClient client, string action, object body) =>
        PlatformFixture.CkanAsync(client, action, body);

    private static async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(HttpClient client, string action, Dictionary<string, string> fields, string fileName, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        form.Add(new ByteArrayContent(bytes), "upload", fileName);
        var response = await client.PostAsync($"/api/3/action/{action}", form);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    /// <summary>Uploads a file as a new resource and returns the resource dictionary (with import_status).</summary>
    private async Task<JsonElement> CreateAsync(HttpClient client, string dataset, string fileName, byte[] bytes, string? format = null)
    {
        var fields = new Dictionary<string, string> { ["package_id"] = dataset, ["name"] = Path.GetFileNameWithoutExtension(fileName) };
        if (format is not null) fields["format"] = format;
        var (status, body) = await UploadAsync(client, "resource_create", fields, fileName, bytes);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("result");
    }

    private static JsonElement Status(JsonElement resource) => resource.GetProperty("import_status");

    private static string Succeeded(JsonElement resource)
    {
        var s = Status(resource);
        Assert.True(s.GetProperty("state").GetString() == "succeeded", s.ToString());
        return s.GetProperty("layer").GetString()!;
    }

    /// <summary>Runs a test on a new dataset of an editor, then removes what it made (and the scratch folder, if any).</summary>
    private async Task InDatasetAsync(string prefix, Func<HttpClient, string, Task> test, string? scratch = null)
    {
        try
        {
            var editor = await EditorAsync();
            await test(editor, await PlatformFixture.NewDatasetAsync(editor, prefix));
        }
        finally
        {
            if (scratch is not null) Directory.Delete(scratch, recursive: true);
            await CleanAsync(prefix);
        }
    }

    /// <summary>Removes the test's datasets, their imported tables and layers, and the stored files.</summary>
    private Task CleanAsync(string prefix) => f.CleanDatasetsAsync(prefix);

    private async Task<List<Dictionary<string, string>>> DownloadCsvAsync(string layer)
    {
        using var reader = new StringReader(await f.Http.GetStringAsync($"/downloads/{layer}.csv"));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        var rows = new List<Dictionary<string, string>>();
        csv.Read();
        csv.ReadHeader();
        while (csv.Read()) rows.Add(csv.HeaderRecord!.ToDictionary(h => h, h => csv.GetField(h) ?? ""));
        return rows;
    }

    private async Task<long> OgcCountAsync(string layer)
    {
        var (status, items, _) = await f.GetJsonAsync($"/ogc/collections/{layer}/items?limit=1");
        Assert.Equal(HttpStatusCode.OK, status);
        return items.GetProperty("numberMatched").GetInt64();
    }

    private static readonly (string Nombre, string Tipo, long Poblacion, double Superficie, string Fecha, double Lon, double Lat)[] Places =
    [
        ("Boca del Río", "ciudad", 144550, 42.5, "2020-03-15", -96.1047, 19.1056),
        ("Veracruz", "puerto", 607209, 241.2, "2020-03-15", -96.1342, 19.1738),
        ("Antón Lizardo", "pesquería", 5634, 3.75, "2019-11-02", -95.9858, 19.0608),
        ("Medellín de Bravo", "villa", 18040, 8.1, "2021-01-30", -96.1578, 19.0575),
    ];

    private static string PlacesCsv(char delimiter, bool decimalComma)
    {
        string N(double v) => decimalComma ? v.ToString(CultureInfo.InvariantCulture).Replace('.', ',') : v.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder($"Nombre{delimiter}Tipo{delimiter}Población{delimiter}Superficie{delimiter}Fecha{delimiter}Longitud{delimiter}Latitud\r\n");
        foreach (var p in Places)
            sb.Append($"{p.Nombre}{delimiter}{p.Tipo}{delimiter}{p.Poblacion}{delimiter}{(decimalComma ? "\"" + N(p.Superficie) + "\"" : N(p.Superficie))}{delimiter}{p.Fecha}{delimiter}{N(p.Lon)}{delimiter}{N(p.Lat)}\r\n");
        return sb.ToString();
    }

    private void AssertPlaces(List<Dictionary<string, string>> rows, bool decimalComma)
    {
        Assert.Equal(Places.Length, rows.Count);
        foreach (var p in Places)
        {
            var row = Assert.Single(rows, r => r["nombre"] == p.Nombre);
            Assert.Equal(p.Tipo, row["tipo"]);
            Assert.Equal(p.Poblacion.ToString(CultureInfo.InvariantCulture), row["poblacion"]);
            Assert.Equal(decimalComma ? p.Superficie.ToString(CultureInfo.InvariantCulture).Replace('.', ',') : p.Superficie.ToString(CultureInfo.InvariantCulture), row["superficie"]);
            Assert.Equal(p.Fecha, row["fecha"]);
            Assert.Equal(p.Lon, double.Parse(row["longitude"], CultureInfo.InvariantCulture), 7);
            Assert.Equal(p.Lat, double.Parse(row["latitude"], CultureInfo.InvariantCulture), 7);
        }
    }

    [Fact]
    public async Task Utf8_csv_becomes_a_layer_that_every_door_serves()
    {
        await InDatasetAsync("prueba-carga-csv", async (editor, dataset) =>
        {
            var resource = await CreateAsync(editor, dataset, "localidades.csv", Encoding.UTF8.GetBytes(PlacesCsv(',', false)));
            var layer = Succeeded(resource);
            var rid = resource.GetProperty("id").GetString()!;
            Assert.Matches("^u_[0-9a-f]{8}$", layer);
            Assert.Equal(rid.Replace("-", "")[..8], layer[2..]);
            Assert.Equal(Places.Length, Status(resource).GetProperty("rows_done").GetInt64());
            Assert.EndsWith($"/downloads/{layer}.csv", resource.GetProperty("url").GetString());
            Assert.True(resource.GetProperty("datastore_active").GetBoolean());

            AssertPlaces(await DownloadCsvAsync(layer), decimalComma: false);
            Assert.Equal(Places.Length, await OgcCountAsync(layer));
            var (_, layers, _) = await f.GetJsonAsync("/api/layers");
            Assert.Contains(layers.EnumerateArray(), l => l.GetProperty("id").GetString() == layer && l.GetProperty("geometryType").GetString() == "Point");
            var (_, collections, _) = await f.GetJsonAsync("/ogc/collections");
            Assert.Contains(collections.GetProperty("collections").EnumerateArray(), c => c.GetProperty("id").GetString() == layer);
            var (_, queryables, _) = await f.GetJsonAsync($"/ogc/collections/{layer}/queryables");
            Assert.Equal("integer", queryables.GetProperty("properties").GetProperty("poblacion").GetProperty("type").GetString());

            var (_, search, _) = await f.GetJsonAsync($"/api/3/action/datastore_search?resource_id={rid}&filters={Uri.EscapeDataString("{\"tipo\":\"ciudad\"}")}");
            Assert.Equal("Boca del Río", search.GetProperty("result").GetProperty("records")[0].GetProperty("nombre").GetString());
            Assert.Equal(1, search.GetProperty("result").GetProperty("total").GetInt32());
            var (sqlStatus, sql, _) = await f.GetJsonAsync($"/api/3/action/datastore_search_sql?sql={Uri.EscapeDataString($"SELECT sum(poblacion) AS p FROM \"{rid}\"")}");
            Assert.True(sqlStatus == HttpStatusCode.OK, sql.ToString());
            Assert.Equal(Places.Sum(p => p.Poblacion), sql.GetProperty("result").GetProperty("records")[0].GetProperty("p").GetInt64());

            var (_, package, _) = await f.GetJsonAsync($"/api/3/action/package_show?id={dataset}");
            var formats = package.GetProperty("result").GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("format").GetString()!).ToList();
            // the same distributions every bundled layer has: CSV (the upload itself, now a datastore), GeoJSON, GPKG, SHP, KML, OGC API
            Assert.Equal(OpenVeracruz.Platform.Catalog.CatalogSync.LayerResources("x").Select(r => r.Format).ToList(), formats);
            var extras = package.GetProperty("result").GetProperty("extras").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!, e => e.GetProperty("value").GetString()!);
            Assert.Contains("Polygon", extras["spatial"]); // the extent of the imported rows, so ext_bbox finds the dataset
            var (_, inBox, _) = await f.GetJsonAsync("/api/3/action/package_search?ext_bbox=-96.2,19.0,-96.0,19.2&rows=1000");
            Assert.Contains(inBox.GetProperty("result").GetProperty("results").EnumerateArray(), r => r.GetProperty("name").GetString() == dataset);
            var (_, shown, _) = await f.GetJsonAsync($"/api/3/action/resource_show?id={rid}");
            Assert.Equal("succeeded", shown.GetProperty("result").GetProperty("import_status").GetProperty("state").GetString());
            var (_, status, _) = await f.GetJsonAsync($"/api/uploads/{rid}/status");
            Assert.Equal(Places.Length, status.GetProperty("rowsTotal").GetInt64());
            var geojson = await f.Http.GetStringAsync($"/downloads/{layer}.geojson");
            Assert.Contains("Antón Lizardo", geojson);

            // a host starting afresh reads the layer back from catalog.layers
            var restarted = LayerRegistry.Load(f.Services.GetRequiredService<LayerRegistry>().DatasetsPath);
            await using (var db = OpenVeracruz.Platform.Data.PlatformDatabase.CreateContext(f.Db))
                await UploadedLayers.RefreshAsync(db, restarted, null, CancellationToken.None);
            Assert.Equal(["fid", "nombre", "tipo", "poblacion", "superficie", "fecha"], restarted.Find(layer)!.Properties.Select(p => p.Name).ToArray());
            Assert.Equal(["integer", "text", "text", "integer", "number", "date"], restarted.Find(layer)!.Properties.Select(p => p.Type).ToArray());
        });
    }

    [Fact]
    public async Task Windows_1252_csv_with_semicolons_keeps_its_accents()
    {
        await InDatasetAsync("prueba-carga-latin", async (editor, dataset) =>
        {
            var bytes = Encoding.GetEncoding(1252).GetBytes(PlacesCsv(';', decimalComma: true));
            Assert.False(System.Text.Unicode.Utf8.IsValid(bytes));
            var layer = Succeeded(await CreateAsync(editor, dataset, "localidades-excel.csv", bytes));
            AssertPlaces(await DownloadCsvAsync(layer), decimalComma: true);
            Assert.Equal(Places.Length, await OgcCountAsync(layer));
        });
    }

    [Fact]
    public async Task Bad_rows_are_reported_by_line_while_the_good_ones_load()
    {
        await InDatasetAsync("prueba-carga-filas", async (editor, dataset) =>
        {
            var csv = "nombre,lon,lat\n" +
                      "uno,-96.1,19.1\n" +        // line 2
                      "dos,-96.2\n" +             // line 3: ragged
                      "tres,abc,19.2\n" +         // line 4: not a longitude
                      "cuatro,-96.3,95\n" +       // line 5: latitude out of range
                      "\"cinco, con coma\",-96.4,19.4\n" + // line 6
                      "seis,-96.5,19.5,extra\n";  // line 7: ragged
            var resource = await CreateAsync(editor, dataset, "con-errores.csv", Encoding.UTF8.GetBytes(csv));
            var layer = Succeeded(resource);
            var status = Status(resource);
            Assert.Equal(4, status.GetProperty("rejected").GetInt32());
            var report = status.GetProperty("report").EnumerateArray().Select(r => (Row: r.GetProperty("row").GetInt64(), Field: r.GetProperty("field").GetString(), Problem: r.GetProperty("problem").GetString()!)).ToList();
            Assert.Equal([3L, 4L, 5L, 7L], report.Select(r => r.Row).ToArray());
            Assert.Equal("lon", report[1].Field);
            Assert.Contains("-90..90", report[2].Problem);
            var rows = await DownloadCsvAsync(layer);
            Assert.Equal(["uno", "cinco, con coma"], rows.Select(r => r["nombre"]).ToArray());
        });
    }

    [Fact]
    public async Task A_file_with_nothing_valid_or_an_unclosed_quote_is_refused_whole()
    {
        await InDatasetAsync("prueba-carga-rechazo", async (editor, dataset) =>
        {
            var quote = await CreateAsync(editor, dataset, "comillas.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\n\"dos,-96.2,19.2\n"));
            Assert.Equal("failed", Status(quote).GetProperty("state").GetString());
            Assert.Contains("Line 3", Status(quote).GetProperty("message").GetString());
            var nothing = await CreateAsync(editor, dataset, "nada.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,x,y\n"));
            Assert.Equal("failed", Status(nothing).GetProperty("state").GetString());
            var feature = await CreateAsync(editor, dataset, "uno.geojson", Encoding.UTF8.GetBytes("""{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[-96.1,19.1]}}"""));
            Assert.Equal("failed", Status(feature).GetProperty("state").GetString());
            Assert.Contains("FeatureCollection", Status(feature).GetProperty("message").GetString());
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.layers l JOIN catalog.datasets d ON d.id = l.dataset_id WHERE d.name = @n", ("n", dataset)));
        });
    }

    private const string GeoJsonUpload = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"nombre":"Faro Venustiano Carranza","clave":"30193-001","altura":36.5,"pisos":9,"abierto":null},"geometry":{"type":"Point","coordinates":[-96.1337215,19.2037654]}},
          {"type":"Feature","properties":{"nombre":"Acuario de Veracruz","clave":"30193-002","altura":18.25,"pisos":3,"abierto":"sí"},"geometry":{"type":"Point","coordinates":[-96.1253102,19.1883001]}},
          {"type":"Feature","properties":{"nombre":"San Juan de Ulúa","clave":"30193-003","altura":12,"pisos":2,"abierto":"sí"},"geometry":{"type":"Point","coordinates":[-96.1295555,19.2091234]}}
        ]}
        """;

    [Fact]
    public async Task GeoJson_download_equals_the_upload()
    {
        await InDatasetAsync("prueba-carga-geojson", async (editor, dataset) =>
        {
            var layer = Succeeded(await CreateAsync(editor, dataset, "sitios.geojson", Encoding.UTF8.GetBytes(GeoJsonUpload)));
            using var uploaded = JsonDocument.Parse(GeoJsonUpload);
            using var downloaded = JsonDocument.Parse(await f.Http.GetStringAsync($"/downloads/{layer}.geojson"));
            var up = uploaded.RootElement.GetProperty("features").EnumerateArray().ToList();
            var down = downloaded.RootElement.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(up.Count, down.Count);
            for (var i = 0; i < up.Count; i++)
            {
                var expected = up[i].GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
                var actual = down[i].GetProperty("properties").EnumerateObject().Where(p => p.Name != "fid").ToDictionary(p => p.Name, p => p.Value.GetRawText());
                Assert.Equal(expected, actual);
                Assert.Equal("Point", down[i].GetProperty("geometry").GetProperty("type").GetString());
                var a = up[i].GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()).ToArray();
                var b = down[i].GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()).ToArray();
                Assert.InRange(Math.Abs(a[0] - b[0]), 0, 1e-7);
                Assert.InRange(Math.Abs(a[1] - b[1]), 0, 1e-7);
            }
        });
    }

    private const string Polygons = """
        {"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"nombre":"Manzana Río Medio","num":1,"area":0.5},"geometry":{"type":"Polygon","coordinates":[[[-96.1500,19.1500],[-96.1490,19.1500],[-96.1490,19.1510],[-96.1500,19.1510],[-96.1500,19.1500]]]}},
          {"type":"Feature","properties":{"nombre":"Manzana Peñón","num":2,"area":0.25},"geometry":{"type":"Polygon","coordinates":[[[-96.1400,19.1600],[-96.1395,19.1600],[-96.1395,19.1605],[-96.1400,19.1605],[-96.1400,19.1600]]]}}
        ]}
        """;

    /// <summary>Runs ogr2ogr on the polygons; returns the folder with its output.</summary>
    private static string Ogr(string driver, string output, params string[] extra)
    {
        var folder = Directory.CreateTempSubdirectory("ov-ogr-").FullName;
        File.WriteAllText(Path.Combine(folder, "in.geojson"), Polygons);
        var psi = new ProcessStartInfo("ogr2ogr") { RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in new[] { "-f", driver, output, "in.geojson" }.Concat(extra)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return folder;
    }

    private static byte[] Zip(string folder, Func<string, bool> include, Func<string, byte[]>? content = null)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var file in Directory.GetFiles(folder).Where(include))
            {
                using var s = zip.CreateEntry("capa/" + Path.GetFileName(file)).Open();
                s.Write(content?.Invoke(file) ?? File.ReadAllBytes(file));
            }
        return ms.ToArray();
    }

    private async Task AssertPolygonsAsync(string layer)
    {
        using var expected = JsonDocument.Parse(Polygons);
        using var actual = JsonDocument.Parse(await f.Http.GetStringAsync($"/downloads/{layer}.geojson"));
        var down = actual.RootElement.GetProperty("features").EnumerateArray().ToList();
        var up = expected.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(up.Count, down.Count);
        for (var i = 0; i < up.Count; i++)
        {
            var props = down[i].GetProperty("properties");
            Assert.Equal(up[i].GetProperty("properties").GetProperty("nombre").GetString(), props.GetProperty("nombre").GetString());
            Assert.Equal(up[i].GetProperty("properties").GetProperty("num").GetInt64(), props.GetProperty("num").GetInt64());
            var ring = up[i].GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray().Select(c => (c[0].GetDouble(), c[1].GetDouble())).ToList();
            var g = down[i].GetProperty("geometry");
            var coords = g.GetProperty("type").GetString() == "MultiPolygon" ? g.GetProperty("coordinates")[0][0] : g.GetProperty("coordinates")[0];
            foreach (var c in coords.EnumerateArray())
                Assert.Contains(ring, r => Math.Abs(r.Item1 - c[0].GetDouble()) < 1e-6 && Math.Abs(r.Item2 - c[1].GetDouble()) < 1e-6);
        }
    }

    [Fact]
    public async Task Zipped_shapefile_in_utm_is_reprojected_from_its_prj()
    {
        var folder = Ogr("ESRI Shapefile", "manzanas.shp", "-t_srs", "EPSG:32614");
        await InDatasetAsync("prueba-carga-shp", async (editor, dataset) =>
        {
            var layer = Succeeded(await CreateAsync(editor, dataset, "manzanas.zip", Zip(folder, p => !p.EndsWith(".geojson"))));
            await AssertPolygonsAsync(layer);
            Assert.Equal(2, await OgcCountAsync(layer));
        }, folder);
    }

    [Fact]
    public async Task Shapefile_dbf_is_read_in_the_encoding_its_cpg_names()
    {
        var folder = Ogr("ESRI Shapefile", "manzanas.shp", "-lco", "ENCODING=UTF-8");
        await InDatasetAsync("prueba-carga-cpg", async (editor, dataset) =>
        {
            Assert.Equal("UTF-8", File.ReadAllText(Path.Combine(folder, "manzanas.cpg")).Trim());
            await AssertPolygonsAsync(Succeeded(await CreateAsync(editor, dataset, "manzanas.zip", Zip(folder, p => !p.EndsWith(".geojson")))));
        }, folder);
    }

    [Fact]
    public async Task GeoJson_features_out_of_range_are_rejected_by_number_and_invalid_ones_repaired()
    {
        await InDatasetAsync("prueba-carga-geometrias", async (editor, dataset) =>
        {
            var file = """
                {"type":"FeatureCollection","features":[
                  {"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[-96.1,19.1]}},
                  {"type":"Feature","properties":{"n":2},"geometry":{"type":"Point","coordinates":[-96.1,95.0]}},
                  {"type":"Feature","properties":{"n":3},"geometry":{"type":"Polygon","coordinates":[[[-96.10,19.10],[-96.09,19.11],[-96.09,19.10],[-96.10,19.11],[-96.10,19.10]]]}},
                  {"type":"Feature","properties":{"n":4},"geometry":null}
                ]}
                """;
            var resource = await CreateAsync(editor, dataset, "mezcla.geojson", Encoding.UTF8.GetBytes(file));
            var layer = Succeeded(resource);
            var report = Status(resource).GetProperty("report").EnumerateArray().Select(r => (r.GetProperty("row").GetInt64(), r.GetProperty("problem").GetString()!)).ToList();
            Assert.Equal([2L, 3L, 4L], report.Select(r => r.Item1).ToArray());
            Assert.Contains("repaired", report[1].Item2);
            Assert.Equal(2, Status(resource).GetProperty("rejected").GetInt32());
            Assert.Equal(1, Status(resource).GetProperty("repaired").GetInt32());
            Assert.Equal(2, await OgcCountAsync(layer));
            var (schema, table) = UploadedLayers.TableOf(Guid.Parse(resource.GetProperty("id").GetString()!));
            Assert.True(await f.ScalarAsync<bool>($"SELECT bool_and(ST_IsValid(geom)) FROM {schema}.{table}"));
            var (_, layers, _) = await f.GetJsonAsync("/api/layers");
            Assert.Equal("Geometry", layers.EnumerateArray().Single(l => l.GetProperty("id").GetString() == layer).GetProperty("geometryType").GetString());
        });
    }

    [Fact]
    public async Task Parallel_uploads_to_one_resource_get_distinct_versions_and_the_newest_is_published()
    {
        await InDatasetAsync("prueba-carga-paralela", async (editor, dataset) =>
        {
            static byte[] Points(int n) => Encoding.UTF8.GetBytes("nombre,lon,lat\n" + string.Concat(Enumerable.Range(1, n).Select(i => $"p{i},-96.{i:D2},19.1\n")));
            var resource = await CreateAsync(editor, dataset, "puntos.csv", Points(1));
            var id = resource.GetProperty("id").GetString()!;
            var layer = Succeeded(resource);
            var results = await Task.WhenAll(Enumerable.Range(2, 4).Select(n => UploadAsync(editor, "resource_update", new() { ["id"] = id }, $"puntos-{n}.csv", Points(n))));
            Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
            var (_, versions, _) = await f.GetJsonAsync($"/dataset/{dataset}/resource/{id}/versions");
            Assert.Equal([1, 2, 3, 4, 5], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ToArray());
            foreach (var v in versions.EnumerateArray())
            {
                // each version keeps the file that was sent as it: n points in puntos-n.csv
                var n = int.Parse(Path.GetFileNameWithoutExtension(v.GetProperty("originalName").GetString()!).Split('-').ElementAtOrDefault(1) ?? "1");
                Assert.Equal(Points(n), await f.Http.GetByteArrayAsync(v.GetProperty("downloadUrl").GetString()));
            }
            var newest = versions.EnumerateArray().Last();
            var newestPoints = int.Parse(Path.GetFileNameWithoutExtension(newest.GetProperty("originalName").GetString()!).Split('-')[1]);
            Assert.Equal(newestPoints, (await DownloadCsvAsync(layer)).Count);
        });
    }

    [Fact]
    public async Task Shapefile_with_an_unreadable_prj_asks_for_the_epsg_code_then_imports_with_it()
    {
        var folder = Ogr("ESRI Shapefile", "manzanas.shp", "-t_srs", "EPSG:32614");
        await InDatasetAsync("prueba-carga-prj", async (editor, dataset) =>
        {
            var zip = Zip(folder, p => !p.EndsWith(".geojson"), p => p.EndsWith(".prj") ? Encoding.ASCII.GetBytes("PROJCS[\"mangled\",GEOGCS[") : File.ReadAllBytes(p));
            var resource = await CreateAsync(editor, dataset, "manzanas.zip", zip);
            var status = Status(resource);
            Assert.Equal("failed", status.GetProperty("state").GetString());
            Assert.Contains("EPSG", status.GetProperty("message").GetString());
            var id = resource.GetProperty("id").GetString()!;
            var (code, patched) = await CallAsync(editor, "resource_patch", new { id, epsg = "32614" });
            Assert.Equal(HttpStatusCode.OK, code);
            await AssertPolygonsAsync(Succeeded(patched.GetProperty("result")));
            var (_, versions, _) = await f.GetJsonAsync($"/dataset/{dataset}/resource/{id}/versions");
            Assert.Equal(32614, versions[0].GetProperty("epsg").GetInt32());
        }, folder);
    }

    [Fact]
    public async Task GeoPackage_in_mexican_utm_is_read_and_reprojected()
    {
        var folder = Ogr("GPKG", "manzanas.gpkg", "-t_srs", "EPSG:6369", "-nln", "manzanas");
        await InDatasetAsync("prueba-carga-gpkg", async (editor, dataset) =>
        {
            var layer = Succeeded(await CreateAsync(editor, dataset, "manzanas.gpkg", File.ReadAllBytes(Path.Combine(folder, "manzanas.gpkg"))));
            await AssertPolygonsAsync(layer);
            var (_, layers, _) = await f.GetJsonAsync("/api/layers");
            Assert.Equal("Polygon", layers.EnumerateArray().Single(l => l.GetProperty("id").GetString() == layer).GetProperty("geometryType").GetString());
        }, folder);
    }

    /// <summary>Validation Error on "upload", and no resource row nor stored file left behind.</summary>
    private async Task AssertRefusedAsync(HttpClient editor, string dataset, string fileName, byte[] bytes, string expected)
    {
        var resourcesBefore = await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources");
        var (status, body) = await UploadAsync(editor, "resource_create", new() { ["package_id"] = dataset }, fileName, bytes);
        Assert.Equal(HttpStatusCode.Conflict, status);
        var error = body.GetProperty("error");
        Assert.Equal("Validation Error", error.GetProperty("__type").GetString());
        Assert.Contains(expected, error.GetProperty("upload")[0].GetString());
        Assert.Equal(resourcesBefore, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources"));
        Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources r JOIN catalog.datasets d ON d.id = r.dataset_id WHERE d.name = @n", ("n", dataset)));
    }

    private static byte[] ZipOf(params (string Name, byte[] Content)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(content);
            }
        return ms.ToArray();
    }

    [Fact]
    public async Task Unacceptable_files_are_refused_at_upload_and_nothing_is_saved()
    {
        const string prefix = "prueba-carga-invalida";
        var options = f.Services.GetRequiredService<IOptions<UploadOptions>>().Value;
        var (maxBytes, maxUnpacked) = (options.MaxUploadBytes, options.MaxZipUncompressedBytes);
        try
        {
            var editor = await EditorAsync();
            var dataset = await PlatformFixture.NewDatasetAsync(editor, prefix);
            var root = f.Services.GetRequiredService<UploadStore>().Root;
            var foldersBefore = Directory.Exists(root) ? Directory.GetDirectories(root).Length : 0;

            await AssertRefusedAsync(editor, dataset, "sin-shp.zip", ZipOf(("capa.dbf", [3, 0, 0]), ("capa.shx", [0, 0])), "no .shp");
            await AssertRefusedAsync(editor, dataset, "muchos.zip", ZipOf(Enumerable.Range(0, 300).Select(i => ($"f{i}.txt", new byte[] { 1 })).ToArray()), "300 entries");
            var xlsx = ZipOf(("[Content_Types].xml", Encoding.UTF8.GetBytes("<Types/>")), ("xl/workbook.xml", Encoding.UTF8.GetBytes("<workbook/>")));
            await AssertRefusedAsync(editor, dataset, "libro.xlsx", xlsx, "Accepted formats");
            await AssertRefusedAsync(editor, dataset, "libro.csv", xlsx, "Accepted formats");

            // the limits are configuration: lowered here so the test stays small
            options.MaxZipUncompressedBytes = 1024 * 1024;
            await AssertRefusedAsync(editor, dataset, "bomba.zip", ZipOf(("capa.shp", new byte[3 * 1024 * 1024]), ("capa.shx", [0]), ("capa.dbf", [0])), "unpacks to");
            options.MaxUploadBytes = 10 * 1024;
            await AssertRefusedAsync(editor, dataset, "grande.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\n" + string.Concat(Enumerable.Repeat("x,-96.1,19.1\n", 2000))), "larger than the upload limit");
            Assert.Equal(foldersBefore, Directory.Exists(root) ? Directory.GetDirectories(root).Length : 0);
        }
        finally
        {
            (options.MaxUploadBytes, options.MaxZipUncompressedBytes) = (maxBytes, maxUnpacked);
            await CleanAsync(prefix);
        }
    }

    [Fact]
    public async Task A_new_upload_is_version_two_and_version_one_stays_downloadable()
    {
        await InDatasetAsync("prueba-carga-versiones", async (editor, dataset) =>
        {
            var first = Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\ndos,-96.2,19.2\n");
            var resource = await CreateAsync(editor, dataset, "puntos.csv", first);
            var id = resource.GetProperty("id").GetString()!;
            var layer = Succeeded(resource);
            var second = Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\ndos,-96.2,19.2\ntres,-96.3,19.3\n");
            var (status, updated) = await UploadAsync(editor, "resource_update", new() { ["id"] = id }, "puntos-2.csv", second);
            Assert.True(status == HttpStatusCode.OK, updated.ToString());
            Assert.Equal(layer, Succeeded(updated.GetProperty("result")));
            Assert.Equal(2, Status(updated.GetProperty("result")).GetProperty("version").GetInt32());
            Assert.Equal(3, (await DownloadCsvAsync(layer)).Count);

            var (_, versions, _) = await f.GetJsonAsync($"/dataset/{dataset}/resource/{id}/versions");
            Assert.Equal([1, 2], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).ToArray());
            Assert.Equal([2L, 3L], versions.EnumerateArray().Select(v => v.GetProperty("rowCount").GetInt64()).ToArray());
            Assert.Equal("puntos.csv", versions[0].GetProperty("originalName").GetString());
            Assert.Equal(first, await f.Http.GetByteArrayAsync($"/dataset/{dataset}/resource/{id}/versions/1"));
            Assert.Equal(second, await f.Http.GetByteArrayAsync(versions[1].GetProperty("downloadUrl").GetString()));
            Assert.Equal(first, await f.Http.GetByteArrayAsync($"/api/uploads/{id}/1"));
            Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/dataset/{dataset}/resource/{id}/versions/3")).StatusCode);

            // rerunning a version imports it the same way
            await using (var scope = f.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<OpenVeracruz.Etl.Uploads.ImportUploadJob>().RunAsync(Guid.Parse(id), 2);
            Assert.Equal(3, (await DownloadCsvAsync(layer)).Count);
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.layers WHERE id = @l", ("l", layer)));
            Assert.Equal((long)OpenVeracruz.Platform.Catalog.CatalogSync.LayerResources(layer).Count(), await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources WHERE layer_id = @l", ("l", layer)));
        });
    }

    [Fact]
    public async Task Deleting_an_uploaded_resource_withdraws_its_layer_and_doors()
    {
        await InDatasetAsync("prueba-carga-borrar", async (editor, dataset) =>
        {
            var resource = await CreateAsync(editor, dataset, "puntos.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\n"));
            var layer = Succeeded(resource);
            var supervisor = WithToken((await f.StaffAsync("supervisor")).Token);
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(supervisor, "resource_delete", new { id = resource.GetProperty("id").GetString() })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/ogc/collections/{layer}")).StatusCode);
            var (_, package, _) = await f.GetJsonAsync($"/api/3/action/package_show?id={dataset}");
            Assert.Equal(0, package.GetProperty("result").GetProperty("num_resources").GetInt32());
        });
    }

    [Fact]
    public async Task Only_editors_and_above_may_upload()
    {
        await InDatasetAsync("prueba-carga-permisos", async (editor, dataset) =>
        {
            var csv = Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\n");
            foreach (var client in new[] { f.NewClient(), WithToken((await f.StaffAsync("viewer")).Token) })
            {
                var (status, body) = await UploadAsync(client, "resource_create", new() { ["package_id"] = dataset }, "puntos.csv", csv);
                Assert.Equal(HttpStatusCode.Forbidden, status);
                Assert.Equal("Authorization Error", body.GetProperty("error").GetProperty("__type").GetString());
            }
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.resources r JOIN catalog.datasets d ON d.id = r.dataset_id WHERE d.name = @n", ("n", dataset)));
            Succeeded(await CreateAsync(WithToken((await f.StaffAsync("supervisor")).Token), dataset, "puntos.csv", csv));
        });
    }

    [Fact]
    public async Task Private_datasets_keep_their_imported_layers_off_the_public_doors()
    {
        await InDatasetAsync("prueba-carga-privada", async (editor, dataset) =>
        {
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "package_patch", new { id = dataset, @private = true })).Status);
            var resource = await CreateAsync(editor, dataset, "puntos.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\n"));
            var layer = Succeeded(resource);
            Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/downloads/{layer}.csv")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await f.Http.GetAsync($"/api/uploads/{resource.GetProperty("id").GetString()}/1")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await CallAsync(editor, "package_patch", new { id = dataset, @private = false })).Status);
            Assert.Single(await DownloadCsvAsync(layer));
        });
    }

    [Fact]
    public async Task Jobs_dashboard_is_for_supervisors_and_admins()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.NewClient().GetAsync("/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await f.StaffAsync("editor")).Session.GetAsync("/jobs")).StatusCode);
        var supervisor = (await f.StaffAsync("supervisor")).Session;
        var page = await supervisor.GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Hangfire", await page.Content.ReadAsStringAsync());
    }
}
