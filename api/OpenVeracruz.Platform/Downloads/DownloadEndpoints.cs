using System.Data;
using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Catalog;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Downloads;

/// <summary>Whole-layer downloads, streamed row by row: CSV (RFC 4180, UTF-8) and GeoJSON.</summary>
public static class DownloadEndpoints
{
    public static IEndpointRouteBuilder MapDownloadEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/downloads").WithTags("Descargas / Downloads");
        g.MapGet("/{layer}.csv", Csv).WithName("DownloadCsv")
            .WithSummary("Capa completa en CSV; geometry=lonlat|wkt|none, bom=true para Excel / Whole layer as CSV")
            .Produces(200, contentType: "text/csv");
        g.MapGet("/{layer}.geojson", GeoJson).WithName("DownloadGeoJson")
            .WithSummary("Capa completa en GeoJSON (CRS84) / Whole layer as GeoJSON")
            .Produces(200, contentType: "application/geo+json");
        return app;
    }

    internal static LayerDefinition Find(LayerRegistry reg, string id) =>
        reg.Find(id) ?? throw new BadRequestException($"Layer '{id}' does not exist", $"La capa '{id}' no existe", "layer", 404);

    private static async Task Csv(string layer, string? geometry, string? bom, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource rs, NpgsqlDataSource ds, CancellationToken ct)
    {
        var l = Find(reg, layer);
        var mode = (geometry ?? "lonlat").ToLowerInvariant() switch
        {
            "lonlat" => CsvGeometry.LonLat,
            "wkt" => CsvGeometry.Wkt,
            "none" => CsvGeometry.None,
            _ => throw new BadRequestException("geometry must be lonlat, wkt or none", "geometry debe ser lonlat, wkt o none", "geometry"),
        };
        var withBom = bom is not null && (bom == "1" || bom.Equals("true", StringComparison.OrdinalIgnoreCase));
        await using var conn = await rs.OpenConnectionAsync(ct);
        await using var cmd = LayerSql.Rows(conn, l, mode);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{l.Id}.csv\"";
        await using var stream = new StreamWriter(http.Response.Body, new UTF8Encoding(withBom), 64 * 1024);
        await using var csv = new CsvWriter(stream, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            NewLine = "\r\n",
            InjectionOptions = InjectionOptions.None,
        });
        for (var i = 0; i < reader.FieldCount; i++) csv.WriteField(reader.GetName(i));
        await csv.NextRecordAsync();
        var isText = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetFieldType(i) == typeof(string)).ToArray();
        while (await reader.ReadAsync(ct))
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (await reader.IsDBNullAsync(i, ct)) { csv.WriteField(""); continue; }
                var value = reader.GetValue(i);
                csv.WriteField(value switch
                {
                    string s when isText[i] => SpreadsheetText.Neutralise(s),
                    DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString() ?? "",
                });
            }
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
        await DownloadCounter.CountAsync(ds, $"/downloads/{l.Id}.csv", CancellationToken.None);
    }

    private static async Task GeoJson(string layer, HttpContext http, LayerRegistry reg, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource rs, NpgsqlDataSource ds, CancellationToken ct)
    {
        var l = Find(reg, layer);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{l.Id}.geojson\"";
        await FeatureStream.WriteAsync(http.Response, rs, l, new FeatureQuery(), "application/geo+json",
            (_, _) => ",\"name\":" + System.Text.Json.JsonSerializer.Serialize(l.Id) + ",\"attribution\":" + System.Text.Json.JsonSerializer.Serialize(l.Dataset.License.Attribution), ct);
        await DownloadCounter.CountAsync(ds, $"/downloads/{l.Id}.geojson", CancellationToken.None);
    }
}
