using System.IO.Compression;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using OpenVeracruz.Etl.Uploads;
using OpenVeracruz.Platform.Shared;
using OpenVeracruz.Platform.Catalog.Uploads;

namespace OpenVeracruz.Tests.Uploads;

/// <summary>The upload readers' rules, without a database or a server.</summary>
public class UploadReaderTests
{
    static UploadReaderTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Fact]
    public void Csv_encoding_is_utf8_with_or_without_bom_else_windows_1252()
    {
        const string text = "nombre\nBoca del Río\n";
        Assert.Equal(text, CsvUpload.Decode(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(text, CsvUpload.Decode([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]));
        Assert.Equal(text, CsvUpload.Decode(Encoding.GetEncoding(1252).GetBytes(text)));
        Assert.Equal("“Peñón” – 5 €", CsvUpload.Decode(Encoding.GetEncoding(1252).GetBytes("“Peñón” – 5 €")));
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3", ',')]
    [InlineData("a;b;c\n1,5;2;3", ';')]
    [InlineData("a\tb\n1\t2", '\t')]
    [InlineData("a|b|c", '|')]
    [InlineData("\"x;y;z\",b\n", ',')]
    public void Csv_delimiter_is_the_most_frequent_one_in_the_header(string text, char expected) => Assert.Equal(expected, CsvUpload.Delimiter(text));

    [Fact]
    public void Csv_records_keep_quoted_delimiters_quotes_and_newlines_and_their_line_numbers()
    {
        var report = new ImportReport(10);
        var records = CsvUpload.Records("a,b\r\n\"x, \"\"y\"\"\",\"línea\nsegunda\"\r\n\r\nz,w", ',', report).ToList();
        Assert.Equal([1L, 2L, 5L], records.Select(r => r.Line).ToArray());
        Assert.Equal(["x, \"y\"", "línea\nsegunda"], records[1].Fields);
        Assert.Equal(["z", "w"], records[2].Fields);
    }

    [Fact]
    public void An_unclosed_quote_refuses_the_file_with_its_line()
    {
        var report = new ImportReport(10);
        var e = Assert.Throws<UploadRejectedException>(() => CsvUpload.Records("a,b\n1,2\n3,\"4\n5,6\n", ',', report).ToList());
        Assert.Contains("Line 3", e.Message);
    }

    [Fact]
    public void Csv_needs_geometry_columns_in_any_case_and_accent()
    {
        var ok = CsvUpload.Read(Encoding.UTF8.GetBytes("Nombre;LONGITUD;Látitud\nuno;-96,1;19,2\n"), new ImportReport(10));
        Assert.Equal(["nombre"], ok.Columns.Select(c => c.Name).ToArray());
        Assert.Equal(-96.1, ok.Rows[0].Geometry.Coordinate.X, 9);
        var wkt = CsvUpload.Read(Encoding.UTF8.GetBytes("id,WKT\n1,\"POLYGON((0 0,1 0,1 1,0 0))\"\n2,\"MULTIPOLYGON(((0 0,1 0,1 1,0 0)))\"\n"), new ImportReport(10));
        Assert.Equal("MultiPolygon", wkt.GeometryType);
        var e = Assert.Throws<UploadRejectedException>(() => CsvUpload.Read(Encoding.UTF8.GetBytes("nombre,valor\nuno,1\n"), new ImportReport(10)));
        Assert.Contains("No geometry columns", e.Message);
    }

    [Fact]
    public void Column_types_are_inferred_from_every_value()
    {
        Assert.Equal(42L, ValueTypes.Parse("42"));
        Assert.Equal(-1.5, ValueTypes.Parse("-1.5"));
        Assert.Equal(new DateOnly(2024, 2, 29), ValueTypes.Parse("2024-02-29"));
        Assert.Equal("007", ValueTypes.Parse("007"));
        Assert.Equal("1,5", ValueTypes.Parse("1,5"));
        Assert.Null(ValueTypes.Parse("  "));
        Assert.Equal("integer", ValueTypes.Infer([1L, null, 3L]));
        Assert.Equal("number", ValueTypes.Infer([1L, 2.5]));
        Assert.Equal("date", ValueTypes.Infer([new DateOnly(2020, 1, 1), null]));
        Assert.Equal("text", ValueTypes.Infer([new DateOnly(2020, 1, 1), 3L]));
        Assert.Equal("text", ValueTypes.Infer([1L, "x"]));
        Assert.Equal("text", ValueTypes.Infer([null, null]));
        var rows = new List<object?[]> { new object?[] { "1.50", "5" }, new object?[] { "abc", "6" } };
        var columns = ValueTypes.Resolve(rows, ["Valor", "N"], untypedText: true);
        Assert.Equal(["text", "integer"], columns.Select(c => c.Type).ToArray());
        Assert.Equal("1.50", rows[0][0]); // a text column keeps the file's own strings
        Assert.Equal(6L, rows[1][1]);
    }

    [Fact]
    public void Column_names_become_unique_plain_identifiers()
    {
        Assert.Equal(["poblacion", "ano_2020", "c_2021", "fid_1", "geom_1", "column_6", "poblacion_1"],
            ColumnNames.Unique(["Población", "Año 2020", "2021", "fid", "geom", "¿?", "POBLACION"]));
    }

    private static Geometry Wkt(string wkt) => new WKTReader(GeoJson.Factory.GeometryServices).Read(wkt);

    [Fact]
    public void Layer_geometry_type_promotes_to_multi_and_mixes_to_geometry()
    {
        Assert.Equal("Point", UploadGeometry.LayerType([Wkt("POINT(1 2)"), Wkt("POINT(3 4)")]));
        Assert.Equal("MultiPolygon", UploadGeometry.LayerType([Wkt("POLYGON((0 0,1 0,1 1,0 0))"), Wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)))")]));
        Assert.Equal("Geometry", UploadGeometry.LayerType([Wkt("POINT(1 2)"), Wkt("POLYGON((0 0,1 0,1 1,0 0))")]));
        Assert.IsType<MultiPolygon>(UploadGeometry.Conform(Wkt("POLYGON((0 0,1 0,1 1,0 0))"), "MultiPolygon"));
    }

    [Fact]
    public void Geometries_are_range_checked_flattened_and_repaired_into_the_report()
    {
        var report = new ImportReport(10);
        Assert.Null(UploadGeometry.Prepare(Wkt("POINT(10 95)"), 1, report));
        var bowtie = UploadGeometry.Prepare(Wkt("POLYGON((0 0,1 1,1 0,0 1,0 0))"), 2, report)!;
        Assert.True(bowtie.IsValid);
        var z = UploadGeometry.Prepare(Wkt("POINT Z(1 2 3)"), 3, report)!;
        Assert.True(double.IsNaN(z.Coordinate.Z));
        Assert.Equal(1, report.Rejected);
        Assert.Equal(1, report.Repaired);
        Assert.Equal([1L, 2L], report.Problems.Select(p => p.Row).ToArray());
    }

    [Fact]
    public void GeoPackage_binary_is_a_header_an_envelope_and_wkb()
    {
        var wkb = new WKBWriter().Write(Wkt("POINT(-96.1 19.2)"));
        byte[] header = [(byte)'G', (byte)'P', 0, 0b0000_0011, 0xE6, 0x10, 0, 0]; // little-endian, envelope of 32 bytes, srs 4326
        var g = GeoPackageUpload.ParseBinary([.. header, .. new byte[32], .. wkb])!;
        Assert.Equal(-96.1, g.Coordinate.X, 9);
        Assert.Null(GeoPackageUpload.ParseBinary([(byte)'G', (byte)'P', 0, 0b0001_0001, 0xE6, 0x10, 0, 0]));
        Assert.Throws<FormatException>(() => GeoPackageUpload.ParseBinary([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    }

    [Fact]
    public void A_prj_that_cannot_be_read_asks_for_the_epsg_code()
    {
        var report = new ImportReport(10);
        var e = Assert.Throws<UploadRejectedException>(() => UploadGeometry.TransformFrom("PROJCS[\"x\",GEOGCS[", "the .prj file", report));
        Assert.Contains("epsg", e.Message);
        Assert.Null(UploadGeometry.TransformFrom(Crs.Crs84.Wkt, "x", report));
        var utm = UploadGeometry.TransformFrom(Crs.Utm14N.Wkt, "x", report)!;
        var (lon, lat) = Crs.FromMetric(800000, 2120000);
        var p = utm.Transform([800000, 2120000]);
        Assert.Equal(lon, p[0], 9);
        Assert.Equal(lat, p[1], 9);
    }

    private static MemoryStream ZipOf(params string[] names)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var n in names) using (var s = zip.CreateEntry(n).Open()) s.WriteByte(1);
        ms.Position = 0;
        return ms;
    }

    [Fact]
    public void Inspector_accepts_four_formats_and_checks_their_first_bytes()
    {
        var o = new UploadOptions();
        UploadFormat Inspect(string name, byte[] bytes, string? format = null) => UploadInspector.Inspect(name, new MemoryStream(bytes), bytes.Length, format, o);
        Assert.Equal(UploadInspector.Csv, Inspect("a.csv", "x,y\n"u8.ToArray()));
        Assert.Equal(UploadInspector.GeoJson, Inspect("a.json", " \n{\"type\":1}"u8.ToArray()));
        Assert.Equal(UploadInspector.GeoPackage, Inspect("a.gpkg", [.. "SQLite format 3\0"u8.ToArray(), 0]));
        Assert.Equal(UploadInspector.Csv, Inspect("datos", "x,y\n"u8.ToArray(), "CSV"));
        var zip = ZipOf("capa/a.shp", "capa/a.SHX", "capa/a.dbf", "capa/a.prj");
        Assert.Equal(UploadInspector.Shapefile, UploadInspector.Inspect("a.zip", zip, zip.Length, null, o));
        Assert.Contains("Accepted formats", Assert.Throws<BadRequestException>(() => Inspect("a.xlsx", "PK"u8.ToArray())).Message);
        Assert.Throws<BadRequestException>(() => Inspect("a.geojson", "x,y"u8.ToArray()));
        Assert.Throws<BadRequestException>(() => Inspect("a.gpkg", "x,y"u8.ToArray()));
        var noDbf = ZipOf("a.shp", "a.shx");
        Assert.Contains(".dbf", Assert.Throws<BadRequestException>(() => UploadInspector.Inspect("a.zip", noDbf, noDbf.Length, null, o)).Message);
        var two = ZipOf("a.shp", "a.shx", "a.dbf", "b.shp", "b.shx", "b.dbf");
        Assert.Contains("2 shapefiles", Assert.Throws<BadRequestException>(() => UploadInspector.Inspect("a.zip", two, two.Length, null, o)).Message);
    }

    [Fact]
    public void An_import_finishes_only_while_it_runs()
    {
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var job = ImportJob.Queue(Guid.NewGuid(), 1, now);
        Assert.Throws<DomainRuleException>(() => job.Succeed(1, 0, 0, "[]", "ok", now));
        job.Start(now);
        job.Succeed(10, 2, 1, "[]", "ok", now.AddSeconds(1));
        Assert.Equal((ImportJob.Succeeded, 10L, 10L), (job.State, job.RowsDone, job.RowsTotal));
        Assert.Throws<DomainRuleException>(() => job.Fail(0, "[]", "no", now));
        job.Requeue(now);
        job.Start(now);
        job.Fail(3, "[]", "refused", now);
        Assert.Equal(ImportJob.Failed, job.State);
        Assert.Equal("refused", job.Message);
    }
}
