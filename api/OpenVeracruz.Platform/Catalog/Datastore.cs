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
using OpenVeracruz.Platform.Data;

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

    /// <summary>Rows datastore_search_sql returns at most; more are reported as records_truncated.</summary>
    public const int SqlRowCap = 32_000;
    public const int SqlTimeoutMs = 5_000;

    /// <summary>
    /// One read-only SELECT over the datastore views (named by resource id). It runs in a READ ONLY transaction,
    /// as a role that can read those views and nothing else, with a statement timeout and a row cap.
    /// </summary>
    public static async Task<JsonNode?> SearchSql(CkanContext c)
    {
        var sql = c.Params.Required("sql").Trim();
        while (sql.EndsWith(';')) sql = sql[..^1].TrimEnd();
        if (sql.Contains(';')) throw CkanException.Validation("sql", "Query is not a single statement.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(sql, @"^\s*(select|with)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            throw CkanException.Validation("sql", "Only SELECT queries are allowed.");
        var reader = c.Service<DatastoreReader>();
        await using var conn = await reader.OpenAsync(c.Ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, c.Ct);
        try
        {
            await using (var setup = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {SqlTimeoutMs}; SET LOCAL search_path = datastore, public;", conn, tx))
                await setup.ExecuteNonQueryAsync(c.Ct);
            var fields = new JsonArray();
            var records = new JsonArray();
            var truncated = false;
            // the statement is wrapped: anything but a query fails to parse, and the cap is applied by the server
            await using var cmd = new NpgsqlCommand($"SELECT * FROM ({sql}\n) AS q LIMIT {SqlRowCap + 1}", conn, tx);
            await using var rows = await cmd.ExecuteReaderAsync(c.Ct);
            var names = Enumerable.Range(0, rows.FieldCount).Select(rows.GetName).ToArray();
            foreach (var (name, i) in names.Select((n, i) => (n, i)))
                fields.Add(new JsonObject { ["id"] = name, ["type"] = rows.GetDataTypeName(i) });
            while (await rows.ReadAsync(c.Ct))
            {
                if (records.Count == SqlRowCap) { truncated = true; break; }
                var row = new JsonObject();
                for (var i = 0; i < names.Length; i++) row[names[i]] = rows.IsDBNull(i) ? null : Value(rows.GetValue(i));
                records.Add(row);
            }
            var result = new JsonObject { ["sql"] = sql, ["fields"] = fields, ["records"] = records };
            if (truncated) result["records_truncated"] = true;
            return result;
        }
        catch (PostgresException e)
        {
            throw e.SqlState switch
            {
                PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ReadOnlySqlTransaction =>
                    new CkanException(403, "Authorization Error", $"Access denied: {e.MessageText}. Only the datastore tables (named by resource id) can be read."),
                PostgresErrorCodes.QueryCanceled => CkanException.Validation("sql", $"Query took longer than {SqlTimeoutMs / 1000} s and was cancelled."),
                PostgresErrorCodes.UndefinedTable => CkanException.Validation("sql", $"{e.MessageText}: query the datastore tables by resource id, e.g. SELECT * FROM \"<resource_id>\""),
                _ => CkanException.Validation("sql", e.MessageText),
            };
        }
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
                    string s => SpreadsheetText.Neutralise(s),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => v.ToString(),
                });
            csv.NextRecord();
        }
        csv.Flush();
        return sb.ToString();
    }
}
