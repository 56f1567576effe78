using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NetTopologySuite.Geometries;
using OpenVeracruz.Etl;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Tests.Layers;

/// <summary>
/// The bundled loader on a file larger than its reading window (20,000 features, written here): every feature lands
/// with its key and values, the CSV join fills its column, an invalid geometry is repaired and counted, the table gets
/// its key and spatial index, a rerun is skipped, and a repeated key refuses the load and leaves the table as it was.
/// </summary>
[Collection(nameof(CatalogWrites))]
public class StreamingLoadTests(CatalogWrites f)
{
    private const int Features = 20_000;

    [Fact]
    public async Task A_file_larger_than_the_reading_window_loads_every_feature_and_repairs_the_invalid_one()
    {
        var root = Directory.CreateTempSubdirectory("ov-streaming-load-").FullName;
        try
        {
            var registry = f.Services.GetRequiredService<LayerRegistry>();
            var folder = Path.Combine(root, "prueba-carga-grande");
            Directory.CreateDirectory(folder);
            WriteManifest(registry.DatasetsPath, folder);
            var geojson = Path.Combine(folder, "predios.geojson");
            WriteFeatures(geojson, duplicateKeyAt: null);
            await File.WriteAllTextAsync(Path.Combine(folder, "barrios.csv"), "clave,barrio\n900-0000-007,Centro\n900-0019-999,\"Playa, Norte\"\n");
            Assert.True(new FileInfo(geojson).Length > 4 << 20, "the file is several reading windows long");

            var layer = LayerRegistry.Load(root).Find("prueba_carga_grande")!;
            var report = await LayerLoader.LoadAsync(f.Db, layer, NullLogger.Instance);

            Assert.False(report.Skipped);
            Assert.Equal(Features, report.Rows);
            Assert.Equal(1, report.RepairedGeometries);
            // built_area_m2 is null in every tenth feature, nota is in one feature only, barrio is joined for two
            Assert.Equal(Features / 10 + (Features - 1) + (Features - 2), report.EmptyValues);
            Assert.Equal((long)Features, await f.ScalarAsync<long>("SELECT count(DISTINCT clave) FROM scratch.carga_grande"));
            Assert.Equal("Playa, Norte", await f.ScalarAsync<string>("SELECT barrio FROM scratch.carga_grande WHERE clave = '900-0019-999'"));
            Assert.Equal("Centro", await f.ScalarAsync<string>("SELECT barrio FROM scratch.carga_grande WHERE clave = '900-0000-007'"));
            Assert.Equal(7L, await f.ScalarAsync<long>("SELECT lot FROM scratch.carga_grande WHERE clave = '900-0000-007'"));
            Assert.Equal("{\"a\": [1, 2]}", await f.ScalarAsync<string>("SELECT nota FROM scratch.carga_grande WHERE clave = '900-0000-003'"));
            Assert.Equal("Boca del Río \"Sur\"", await f.ScalarAsync<string>("SELECT localidad FROM scratch.carga_grande WHERE clave = '900-0000-003'"));
            // the bow tie became two valid triangles
            Assert.True(await f.ScalarAsync<bool>("SELECT bool_and(ST_IsValid(geom)) FROM scratch.carga_grande"));
            Assert.Equal(2, await f.ScalarAsync<int>("SELECT ST_NumGeometries(geom) FROM scratch.carga_grande WHERE clave = '900-0005-000'"));
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE schemaname = 'scratch' AND tablename = 'carga_grande' AND indexdef LIKE '%USING gist%'"));
            Assert.Equal(1L, await f.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conrelid = 'scratch.carga_grande'::regclass AND contype = 'p'"));

            Assert.True((await LayerLoader.LoadAsync(f.Db, layer, NullLogger.Instance)).Skipped, "unchanged content is not loaded again");

            // a repeated key far into the file refuses the whole load: the table keeps its rows
            WriteFeatures(geojson, duplicateKeyAt: 15_000);
            var refused = await Assert.ThrowsAsync<InvalidDataException>(() => LayerLoader.LoadAsync(f.Db, layer, NullLogger.Instance));
            Assert.Contains("unique", refused.Message);
            Assert.Equal((long)Features, await f.ScalarAsync<long>("SELECT count(*) FROM scratch.carga_grande"));
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'scratch' AND tablename = 'carga_grande__load'"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void WriteManifest(string datasets, string folder)
    {
        // the synthetic cadastre's manifest (every catalog field), with a layer of its own in a scratch table
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(datasets, "predios-sinteticos", "dataset.json")))!.AsObject();
        manifest["id"] = "prueba-carga-grande";
        manifest["generator"] = null;
        var properties = new JsonArray();
        foreach (var (name, type) in new[] { ("clave", "text"), ("block", "integer"), ("lot", "integer"), ("built_area_m2", "number"), ("localidad", "text"), ("nota", "text"), ("barrio", "text") })
            properties.Add(new JsonObject { ["name"] = name, ["type"] = type, ["source"] = name, ["title"] = name });
        manifest["layer"] = new JsonObject
        {
            ["id"] = "prueba_carga_grande", ["title"] = "Prueba", ["table"] = "scratch.carga_grande", ["geometryType"] = "MultiPolygon", ["key"] = "clave",
            ["kind"] = "reference", ["minZoom"] = 0, ["defaultVisible"] = false,
            ["files"] = new JsonArray(new JsonObject { ["path"] = "predios.geojson", ["format"] = "geojson" }),
            ["join"] = new JsonObject { ["path"] = "barrios.csv", ["csvKey"] = "clave", ["featureKey"] = "clave" },
            ["properties"] = properties,
        };
        File.WriteAllText(Path.Combine(folder, "dataset.json"), manifest.ToJsonString());
    }

    /// <summary>Small rectangles on a grid; feature 5,000 is a bow tie; feature 3 has an escaped name, an escaped string and an object value.</summary>
    private static void WriteFeatures(string path, int? duplicateKeyAt)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(true)); // with a byte order mark
        w.Write("{\"type\":\"FeatureCollection\",\"name\":\"prueba\",\"features\":[\n");
        for (var i = 0; i < Features; i++)
        {
            var (x, y) = (-96.2 + i % 200 * 0.0005, 19.1 + i / 200 * 0.0005);
            var ring = i == 5_000
                ? $"[{P(x, y)},{P(x + 0.0003, y + 0.0003)},{P(x + 0.0003, y)},{P(x, y + 0.0003)},{P(x, y)}]"
                : $"[{P(x, y)},{P(x + 0.0003, y)},{P(x + 0.0003, y + 0.0003)},{P(x, y + 0.0003)},{P(x, y)}]";
            var key = duplicateKeyAt == i ? 0 : i;
            var built = i % 10 == 0 ? "null" : (i * 1.5).ToString(CultureInfo.InvariantCulture);
            var extra = i == 3 ? ",\"localid\\u0061d\":\"Boca del R\\u00edo \\\"Sur\\\"\",\"nota\":{\"a\": [1, 2]}" : ",\"localidad\":\"Veracruz\"";
            w.Write($"{(i > 0 ? "," : "")}{{\"type\":\"Feature\",\"id\":{i},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[{ring}]}},\"properties\":{{\"clave\":\"900-{key / 1000:0000}-{key % 1000:000}\",\"block\":{key / 1000},\"lot\":{key % 1000},\"built_area_m2\":{built}{extra}}}}}\n");
        }
        w.Write("],\"bbox\":[-96.2,19.1,-96.1,19.15]}\n");
    }

    private static string P(double x, double y) => string.Create(CultureInfo.InvariantCulture, $"[{x:F7},{y:F7}]");
}

/// <summary>The cheap validity proof never calls an invalid polygon valid, and does prove the common ones.</summary>
public class QuickValidityTests
{
    private static readonly GeometryFactory F = new(new PrecisionModel(), 4326);

    [Fact]
    public void A_polygon_proven_valid_is_valid_and_rectangles_and_triangles_are_proven()
    {
        // small integer grids make collinear edges, repeated points, touching and crossing edges common
        var random = new Random(13);
        int proven = 0, invalid = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var count = random.Next(3, 9);
            var points = Enumerable.Range(0, count).Select(_ => new Coordinate(random.Next(0, 5), random.Next(0, 5))).ToList();
            points.Add(points[0].Copy());
            var polygon = F.CreatePolygon(points.ToArray());
            var sure = QuickValidity.SurelyValid(polygon);
            if (!polygon.IsValid) invalid++;
            if (!sure) continue;
            proven++;
            Assert.True(polygon.IsValid, $"proven valid but invalid: {polygon}");
        }
        Assert.True(invalid > 5_000 && proven > 1_000, $"the sample has both kinds ({proven} proven, {invalid} invalid)");

        Assert.True(QuickValidity.SurelyValid(F.CreatePolygon([new(0, 0), new(2, 0), new(2, 1), new(0, 1), new(0, 0)])));
        Assert.True(QuickValidity.SurelyValid(F.CreatePolygon([new(-96.2499460, 19.0500369), new(-96.2497191, 19.0500369), new(-96.2497191, 19.0503426), new(-96.2499460, 19.0503426), new(-96.2499460, 19.0500369)])));
        Assert.False(QuickValidity.SurelyValid(F.CreatePolygon([new(0, 0), new(1, 1), new(1, 0), new(0, 1), new(0, 0)])), "a bow tie");
        Assert.False(QuickValidity.SurelyValid(F.CreatePolygon([new(0, 0), new(1, 0), new(1, 0), new(1, 1), new(0, 0)])), "a repeated point goes to the full check");
        Assert.False(QuickValidity.SurelyValid(F.CreatePolygon([new(0, 0), new(2, 0), new(1, 0), new(1, 1), new(0, 0)])), "an edge doubling back");
    }
}

/// <summary>The streaming GeoJSON reader's refusals: what the whole-document parser refused, it refuses too.</summary>
public class GeoJsonFeaturesTests
{
    private static List<string?> Read(string json)
    {
        using var features = new GeoJsonFeatures(new MemoryStream(Encoding.UTF8.GetBytes(json)), "f.geojson", ["a"]);
        var values = new List<string?>();
        while (features.Next()) values.Add(features.Values[0]);
        return values;
    }

    [Theory]
    [InlineData("""{"type":"Feature","properties":{}}""", "not a GeoJSON FeatureCollection")]
    [InlineData("""{"features":[],"type":"Feature"}""", "not a GeoJSON FeatureCollection")]
    [InlineData("""{"features":[]}""", "not a GeoJSON FeatureCollection")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1}}""", "not valid")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1}},]}""", "not valid")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[1,2]},"properties":{}}]}""", "wrong shape")]
    public void Malformed_files_are_refused_with_the_reason(string json, string reason) =>
        Assert.Contains(reason, Assert.Throws<InvalidDataException>(() => Read(json)).Message);

    [Fact]
    public void The_type_may_follow_the_features() => Assert.Equal(["x"], Read("""{"features":[{"properties":{"a":"x"}}],"type":"FeatureCollection"}"""));

    [Fact]
    public void Values_keep_their_text_and_missing_or_null_ones_are_null() =>
        Assert.Equal(["x", "1.50", "true", null, null, "[1, {\"b\": null}]"],
            Read("""{"type":"FeatureCollection","features":[{"properties":{"a":"x"}},{"properties":{"a":1.50}},{"properties":{"a":true}},{"properties":{"a":null}},{"properties":null},{"properties":{"a":[1, {"b": null}]}}]}"""));
}
