using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Layers;

namespace OpenVeracruz.Tests.Layers;

/// <summary>
/// A feature's own table published as a layer (a kiosk's status, an office's queue) is read live by every door: a row
/// changed in the table is what the next request of any door answers, with no load, sync or cache in between.
/// </summary>
[Collection(nameof(HostileInput))]
public class LiveLayerTests(HostileInput f)
{
    [Fact]
    public async Task A_row_changed_in_a_feature_table_is_current_in_every_door()
    {
        var id = "live_" + Guid.NewGuid().ToString("N")[..8];
        await f.ScalarAsync<int>($"""
            CREATE SCHEMA IF NOT EXISTS live_tests;
            CREATE TABLE live_tests.{id} (code text PRIMARY KEY, status text, secret text, geom geometry(Point, 4326) NOT NULL);
            INSERT INTO live_tests.{id} VALUES ('K-01', 'operando', 'interno', ST_SetSRID(ST_MakePoint(-96.134, 19.2), 4326));
            SELECT 1
            """);
        var registry = f.Services.GetRequiredService<LayerRegistry>();
        var template = registry.Find("localities")!;
        // what a dataset.json with files: [] and table: live_tests.<id> declares
        registry.Register(template with
        {
            Id = id, Title = "Módulos de prueba", Schema = "live_tests", Table = id, GeometryType = "Point", KeyColumn = "code", Kind = "service",
            Properties = [new("code", "text", null, "Clave", null), new("status", "text", null, "Estado", null)],
            Dataset = template.Dataset with { Layer = template.Dataset.Layer! with { OData = null } },
        });
        try
        {
            await f.ScalarAsync<int>($"UPDATE live_tests.{id} SET status = 'sin papel' WHERE code = 'K-01'; SELECT 1");
            var odata = OpenVeracruz.Platform.OData.ODataModel.Pascal(id);
            foreach (var url in new[] { $"/ogc/collections/{id}/items", $"/ogc/collections/{id}/items/K-01", $"/downloads/{id}.csv", $"/downloads/{id}.geojson",
                                        $"/downloads/{id}.kml", $"/odata/{odata}", $"/odata/{odata}('K-01')" })
            {
                var response = await f.Http.GetAsync(url);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadAsStringAsync();
                Assert.Contains("sin papel", body);
                Assert.DoesNotContain("operando", body);
                Assert.DoesNotContain("interno", body); // a column the entry does not list never leaves the database
            }
        }
        finally
        {
            registry.Remove(id);
            await f.ScalarAsync<int>($"DROP TABLE live_tests.{id}; SELECT 1");
        }
    }
}
