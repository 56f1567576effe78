using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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
public static partial class Datastore
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
        var ds = c.ReadSource;
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
            ["_links"] = Links(p, offset, limit),
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

    /// <summary>CKAN's datastore_info: the fields with their database schema, and the row count, of a public datastore resource.</summary>
    public static async Task<JsonNode?> Info(CkanContext c)
    {
        var resourceId = c.Params.String("resource_id") is { Length: > 0 } r ? r : c.Params.Required("id");
        var includeMeta = c.Params.Bool("include_meta", true);
        var includeSchema = c.Params.Bool("include_fields_schema", true);
        var (resource, layer) = await FindAsync(c, resourceId);
        var fields = new JsonArray(LayerSql.RecordFields(layer).Select(f =>
        {
            var field = new JsonObject { ["id"] = f.Name, ["type"] = DatastoreType(f), ["info"] = new JsonObject { ["label"] = f.Title } };
            var key = f.Name == layer.KeyColumn;
            if (includeSchema)
                field["schema"] = new JsonObject
                {
                    ["native_type"] = f.Name is "longitude" or "latitude" ? "double precision" : LayerSql.SqlType(f),
                    ["notnull"] = key, ["index_name"] = null, ["is_index"] = key, ["uniquekey"] = key,
                };
            return (JsonNode)field;
        }).ToArray());
        var result = new JsonObject { ["fields"] = fields };
        if (includeMeta)
        {
            await using var conn = await c.ReadSource.OpenConnectionAsync(c.Ct);
            await using var count = LayerSql.RecordCount(conn, layer, new RecordQuery([], [], null, [], 0, 0));
            result["meta"] = new JsonObject
            {
                ["id"] = resource.Id.ToString(), ["count"] = (long)(await count.ExecuteScalarAsync(c.Ct))!, ["table_type"] = "VIEW", ["aliases"] = new JsonArray(),
            };
        }
        return result;
    }

    /// <summary>
    /// start, next (and prev) with every argument of the call, as CKAN keeps them: following next with a GET gives the next
    /// page of the same query. Objects and lists are JSON-encoded, which the GET form of each argument accepts.
    /// </summary>
    private static JsonObject Links(CkanParams p, int offset, int limit)
    {
        string Link(int? at)
        {
            var args = p.Values.Where(kv => kv.Key != "offset" && kv.Value is not null)
                .Select(kv => (kv.Key, Value: kv.Value is JsonValue v && v.TryGetValue<string>(out var text) ? text : kv.Value!.ToJsonString()))
                .Concat(at is { } o ? [("offset", o.ToString(CultureInfo.InvariantCulture))] : [])
                .Select(a => $"{Uri.EscapeDataString(a.Key)}={Uri.EscapeDataString(a.Value)}");
            return "/api/3/action/datastore_search?" + string.Join("&", args);
        }
        var links = new JsonObject { ["start"] = Link(null), ["next"] = Link(offset + limit) };
        if (offset > 0) links["prev"] = Link(Math.Max(0, offset - limit));
        return links;
    }

    /// <summary>
    /// One read-only SELECT over the datastore views (named by resource id). It runs in a READ ONLY transaction, as a role that
    /// can read those views and nothing else, with a statement timeout the server enforces. The rows come as JSON made by
    /// PostgreSQL and are read one at a time: a record over SqlMaxRecordBytes is refused unread, and the records stop at
    /// SqlMaxRows or SqlMaxBytes (records_truncated), so no query can take more memory than those caps.
    /// </summary>
    public static async Task<JsonNode?> SearchSql(CkanContext c)
    {
        var sql = c.Params.Required("sql").Trim();
        while (sql.EndsWith(';')) sql = sql[..^1].TrimEnd();
        if (sql.Contains(';')) throw CkanException.Validation("sql", "Query is not a single statement.");
        if (!Regex.IsMatch(sql, @"^\s*(select|with)\b", RegexOptions.IgnoreCase))
            throw CkanException.Validation("sql", "Only SELECT queries are allowed.");
        var reader = c.Service<DatastoreReader>();
        var o = reader.Options;
        using var admitted = await reader.AdmitAsync(c.Http, c.Ct);
        // the client's side of the time limit, for a server that does not stop in time by itself
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(c.Ct);
        deadline.CancelAfter(o.SqlTimeoutMs + 2_000);
        var ct = deadline.Token;
        try
        {
            await using var conn = await reader.OpenAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var setup = new NpgsqlCommand($"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {o.SqlTimeoutMs}; " +
                "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL search_path = datastore, public;", conn, tx))
                await setup.ExecuteNonQueryAsync(ct);
            await RefuseCatalogsAsync(conn, tx, sql, o, ct);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("sql", sql);
                json.WriteStartArray("fields");
                // the statement is wrapped: anything but a query fails to parse; its columns are described without running it
                await using (var describe = new NpgsqlCommand($"SELECT * FROM ({sql}\n) AS q", conn, tx))
                await using (var schema = await describe.ExecuteReaderAsync(System.Data.CommandBehavior.SchemaOnly, ct))
                    for (var i = 0; i < schema.FieldCount; i++)
                    {
                        json.WriteStartObject();
                        json.WriteString("id", schema.GetName(i));
                        json.WriteString("type", schema.GetDataTypeName(i));
                        json.WriteEndObject();
                    }
                json.WriteEndArray();
                json.WriteStartArray("records");
                var truncated = await WriteRecordsAsync(conn, tx, sql, o, json, ct);
                json.WriteEndArray();
                if (truncated) json.WriteBoolean("records_truncated", true);
                json.WriteEndObject();
            }
            c.RawResult = buffer.WrittenSpan.ToArray();
            return null;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !c.Ct.IsCancellationRequested)
        {
            throw TimedOut(o);
        }
        catch (NpgsqlException e) when (e is not PostgresException && deadline.IsCancellationRequested && !c.Ct.IsCancellationRequested)
        {
            throw TimedOut(o);
        }
        catch (PostgresException e)
        {
            throw e.SqlState switch
            {
                PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ReadOnlySqlTransaction =>
                    new CkanException(403, "Authorization Error", $"Access denied: {e.MessageText}. Only the datastore tables (named by resource id) can be read."),
                PostgresErrorCodes.QueryCanceled => TimedOut(o),
                PostgresErrorCodes.UndefinedTable => CkanException.Validation("sql", $"{e.MessageText}: query the datastore tables by resource id, e.g. SELECT * FROM \"<resource_id>\""),
                _ => CkanException.Validation("sql", e.MessageText),
            };
        }
    }

    private static CkanException TimedOut(DatastoreOptions o) =>
        CkanException.Validation("sql", $"Query took longer than {o.SqlTimeoutMs / 1000.0:0.#} s and was cancelled.");

    /// <summary>Writes the rows as JSON records; true when they stopped at a cap (SqlMaxRows, SqlMaxBytes).</summary>
    private static async Task<bool> WriteRecordsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, DatastoreOptions o, Utf8JsonWriter json, CancellationToken ct)
    {
        var (count, bytes, truncated) = (0, 0L, false);
        await ForEachTextAsync(conn, tx, $"SELECT row_to_json(q)::text FROM ({sql}\n) AS q LIMIT {o.SqlMaxRows + 1}", o.SqlMaxRecordBytes, (record, size) =>
        {
            if (record is null)
                throw CkanException.Validation("sql", $"Record {count + 1} is larger than {o.SqlMaxRecordBytes / 1024} kB as JSON: select less of it (e.g. left(column, n) or ST_Simplify).");
            if (count == o.SqlMaxRows || bytes + size > o.SqlMaxBytes)
            {
                truncated = true;
                return false;
            }
            json.WriteRawValue(record, skipInputValidation: true);
            bytes += size;
            count++;
            return true;
        }, ct);
        return truncated;
    }

    /// <summary>
    /// Runs a query of one text column row by row, each value read in pieces and measured as it comes: onRow gets it, or
    /// null when it is over maxBytes (unread), and answers whether to go on. A query stopped early is cancelled on the
    /// server rather than read to its end.
    /// </summary>
    private static async Task ForEachTextAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string query, long maxBytes, Func<string?, long, bool> onRow, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(query, conn, tx);
        var rows = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        var stopped = true;
        try
        {
            var chunk = new char[16 * 1024];
            var value = new StringBuilder();
            while (await rows.ReadAsync(ct))
            {
                value.Clear();
                var size = 0L;
                using (var text = await rows.GetTextReaderAsync(0, ct))
                    for (int n; size <= maxBytes && (n = await text.ReadAsync(chunk, ct)) > 0;)
                    {
                        size += Encoding.UTF8.GetByteCount(chunk.AsSpan(0, n));
                        value.Append(chunk, 0, n);
                    }
                if (!onRow(size > maxBytes ? null : value.ToString(), size)) return;
            }
            stopped = false;
        }
        finally
        {
            if (stopped) cmd.Cancel(); // the server stops producing what would only be skipped
            try { await rows.DisposeAsync(); }
            catch (PostgresException e) when (stopped && e.SqlState == PostgresErrorCodes.QueryCanceled) { }
        }
    }

    /// <summary>
    /// The SQL door reads the datastore tables, not the system catalogs: a plan that scans a table of pg_catalog or
    /// information_schema (which list every table and view, public or not), names relations by oid (::regclass and kin)
    /// or reads other sessions' activity is refused before it runs. The plan is read under the record cap too: the
    /// planner folds constant expressions into it.
    /// </summary>
    private static async Task RefuseCatalogsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, DatastoreOptions o, CancellationToken ct)
    {
        var plan = "";
        await ForEachTextAsync(conn, tx, $"EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM ({sql}\n) AS q", o.SqlMaxRecordBytes, (text, _) =>
        {
            plan = text ?? throw CkanException.Validation("sql", $"The query is larger than {o.SqlMaxRecordBytes / 1024} kB once planned (a huge constant value?): select less of it.");
            return true;
        }, ct);
        string? Catalog(JsonNode? node) => node switch
        {
            JsonObject j when j["Relation Name"] is { } rel && j["Schema"]?.GetValue<string>() is "pg_catalog" or "information_schema" =>
                $"{j["Schema"]}.{rel}",
            JsonObject j => j.Select(kv => Catalog(kv.Value)).FirstOrDefault(x => x is not null),
            JsonArray a => a.Select(Catalog).FirstOrDefault(x => x is not null),
            _ => null,
        };
        var byOid = CatalogFunction().Match(plan);
        var found = Catalog(JsonNode.Parse(plan)) ?? (byOid.Success ? byOid.Value : null);
        if (found is not null)
            throw new CkanException(403, "Authorization Error", $"Access denied: datastore_search_sql reads the datastore tables (named by resource id), not the system catalogs ({found}).");
    }

    [GeneratedRegex(@"::reg(class|collation|config|dictionary|namespace|oper|operator|proc|procedure|role|type)\b|\b(pg_stat_get_\w+|pg_describe_object|pg_identify_object\w*|pg_get_\w+|obj_description|col_description|shobj_description)\(")]
    private static partial Regex CatalogFunction();

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
