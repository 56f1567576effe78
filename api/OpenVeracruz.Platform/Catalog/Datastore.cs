using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenVeracruz.Platform.Downloads;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>CKAN's datastore_search over the layer behind a datastore-active resource (its CSV distribution).</summary>
public static class Datastore
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 32_000;

    public static string DatastoreType(LayerPropertyManifest p) => p.Type switch
    {
        "integer" => "int8",
        "number" => "float8",
        "date" => "date",
        _ => "text",
    };

    internal static async Task<(Resource Resource, LayerDefinition Layer)> FindAsync(CkanContext c, string resourceId)
    {
        var db = c.Service<AppDbContext>();
        var r = Guid.TryParse(resourceId, out var id)
            ? await db.Resources.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.State == "active" && x.DatastoreActive, c.Ct)
            : null;
        var layer = r?.LayerId is { } l ? c.Service<LayerRegistry>().Find(l) : null;
        if (r is null || layer is null || !await db.Datasets.AnyAsync(d => d.Id == r.DatasetId && d.State == "active" && !d.Private, c.Ct))
            throw CkanException.NotFound($"Resource \"{resourceId}\" was not found.");
        return (r, layer);
    }

    public static async Task<JsonNode?> Search(CkanContext c)
    {
        var p = c.Params;
        var resourceId = p.Required("resource_id");
        var (_, layer) = await FindAsync(c, resourceId);
        var all = LayerSql.RecordFields(layer).ToDictionary(f => f.Name);

        var columns = p.List("fields") ?? [.. all.Keys];
        foreach (var f in columns.Where(f => !all.ContainsKey(f)))
            throw CkanException.Validation("fields", $"field \"{f}\" not in table");

        var filters = new List<(LayerPropertyManifest, IReadOnlyList<object>)>();
        JsonObject? filterObject = null;
        if (p.Values["filters"] is { } filterNode)
        {
            JsonObject obj;
            try { obj = filterNode is JsonObject o ? o : JsonNode.Parse(p.String("filters")!) as JsonObject ?? throw new JsonException("not an object"); }
            catch (JsonException) { throw CkanException.Validation("filters", "filters must be a JSON object of field: value or field: [values]"); }
            filterObject = obj;
            foreach (var (name, value) in obj)
            {
                if (!all.TryGetValue(name, out var prop)) throw CkanException.Validation("filters", $"field \"{name}\" not in table");
                var raw = value is JsonArray arr ? arr.Select(v => v?.ToString() ?? "").ToList() : [value?.ToString() ?? ""];
                var typed = raw.Select(v => LayerSql.ParseValue(prop, v) ?? throw CkanException.Validation("filters", $"invalid value \"{v}\" for field \"{name}\" ({DatastoreType(prop)})")).ToList();
                if (typed.Count == 0) throw CkanException.Validation("filters", $"empty list for field \"{name}\"");
                filters.Add((prop, typed));
            }
        }

        var sort = new List<(string, bool)>();
        foreach (var part in (p.String("sort") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bits = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var name = bits[0].Trim('"');
            if (!all.ContainsKey(name) || bits.Length > 2 || bits.Length == 2 && bits[1].ToLowerInvariant() is not ("asc" or "desc"))
                throw CkanException.Validation("sort", $"cannot sort by \"{part}\"");
            sort.Add((name, bits.Length == 2 && bits[1].Equals("desc", StringComparison.OrdinalIgnoreCase)));
        }

        var text = p.Values["q"] switch
        {
            null => null,
            JsonObject => throw CkanException.Validation("q", "per-field q is not supported: use filters, or q as text"),
            _ => p.String("q"),
        };
        var limit = p.Int("limit", DefaultLimit, 0, MaxLimit);
        var offset = p.Int("offset", 0, 0, int.MaxValue);
        var includeTotal = p.Bool("include_total", true);
        var format = p.String("records_format") ?? "objects";
        if (format is not ("objects" or "lists" or "csv" or "tsv"))
            throw CkanException.Validation("records_format", "records_format must be objects, lists, csv or tsv");

        var query = new RecordQuery(columns, filters, text, sort, limit, offset);
        var ds = c.Service<NpgsqlDataSource>();
        await using var conn = await ds.OpenConnectionAsync(c.Ct);
        var rows = new List<object?[]>();
        await using (var cmd = LayerSql.Records(conn, layer, query))
        await using (var reader = await cmd.ExecuteReaderAsync(c.Ct))
            while (await reader.ReadAsync(c.Ct))
            {
                var row = new object?[columns.Count];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(row);
            }
        long? total = null;
        if (includeTotal)
            await using (var count = LayerSql.RecordCount(conn, layer, query))
                total = (long)(await count.ExecuteScalarAsync(c.Ct))!;

        var self = $"/api/3/action/datastore_search?resource_id={Uri.EscapeDataString(resourceId)}";
        var result = new JsonObject
        {
            ["include_total"] = includeTotal,
            ["resource_id"] = resourceId,
            ["fields"] = new JsonArray(columns.Select(f => (JsonNode)new JsonObject { ["id"] = f, ["type"] = DatastoreType(all[f]), ["info"] = new JsonObject { ["label"] = all[f].Title } }).ToArray()),
            ["records_format"] = format,
            ["records"] = format switch
            {
                "objects" => new JsonArray(rows.Select(r => (JsonNode)new JsonObject(columns.Select((f, i) => KeyValuePair.Create(f, Value(r[i]))))).ToArray()),
                "lists" => new JsonArray(rows.Select(r => (JsonNode)new JsonArray(r.Select(Value).ToArray())).ToArray()),
                _ => Delimited(rows, format == "csv" ? "," : "\t"),
            },
            ["limit"] = limit,
            ["_links"] = new JsonObject { ["start"] = self, ["next"] = $"{self}&offset={offset + limit}" },
        };
        if (offset > 0) result["offset"] = offset;
        if (filterObject is not null) result["filters"] = filterObject.DeepClone();
        if (text is not null) result["q"] = text;
        if (sort.Count > 0) result["sort"] = p.String("sort");
        if (total is { } t)
        {
            result["total"] = t;
            result["total_was_estimated"] = false;
        }
        return result;
    }

    private static JsonNode? Value(object? v) => v switch
    {
        null => null,
        string s => s,
        long l => l,
        int i => i,
        double d => d,
        decimal m => m,
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    private static string Delimited(List<object?[]> rows, string delimiter)
    {
        var sb = new StringWriter(CultureInfo.InvariantCulture);
        using var csv = new CsvWriter(sb, new CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter, NewLine = "\n" });
        foreach (var r in rows)
        {
            foreach (var v in r)
                csv.WriteField(v switch
                {
                    null => "",
                    string s => DownloadEndpoints.Neutralise(s),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => v.ToString(),
                });
            csv.NextRecord();
        }
        csv.Flush();
        return sb.ToString();
    }
}
