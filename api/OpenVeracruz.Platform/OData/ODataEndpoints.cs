using System.Buffers;
using System.Data;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Npgsql;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;
using Microsoft.Extensions.DependencyInjection;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.OData;

/// <summary>A request the OData door refuses, answered in OData's JSON error format; the Spanish text goes in the first detail.</summary>
public sealed class ODataRequestException(int status, string code, string? target, string message, string messageEs) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? Target { get; } = target;
    public string MessageEs { get; } = messageEs;

    public static ODataRequestException Invalid(string target, string en, string es) =>
        new(400, "InvalidQuery", target, $"Invalid OData query: {en}", $"Consulta OData inválida: {es}");

    public static ODataRequestException NotSupported(string target, string en, string es) =>
        new(400, "NotSupported", target, $"Invalid OData query: {en} is not supported by this service", $"Consulta OData inválida: {es} no está soportado en este servicio");
}

/// <summary>
/// OData v4 at /odata, built from the layer registry: the service document, $metadata (CSDL XML, or JSON with
/// $format=json), every public layer as an entity set with $filter $select $orderby $top $skip $count $skiptoken,
/// /$count, and entities by key. Rows are read from PostgreSQL as JSON text and streamed; pages hold 1000 entities and
/// end with @odata.nextLink. Errors use OData's JSON error format.
/// </summary>
public static class ODataEndpoints
{
    public const int PageSize = 1000;
    /// <summary>The start of a page is held back this long, so that a query the database refuses early still gets a clean 400.</summary>
    private const int HoldBytes = 64 * 1024;
    private const string JsonType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] Offered = ["$filter", "$select", "$orderby", "$top", "$skip", "$count", "$format", "$skiptoken"];
    private static readonly string[] NotOffered = ["$expand", "$search", "$apply", "$compute", "$index", "$levels", "$deltatoken", "$id", "$schemaversion"];

    public static IEndpointRouteBuilder MapODataEndpoints(this IEndpointRouteBuilder app)
    {
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/odata", read, Serve).ExcludeFromDescription();
        app.MapMethods("/odata/{**path}", read, Serve).ExcludeFromDescription();
        return app;
    }

    private static async Task Serve(HttpContext http, LayerRegistry registry, [FromKeyedServices(PlatformDatabase.Read)] NpgsqlDataSource db, ILogger<ODataModel> log)
    {
        try
        {
            var model = ODataModel.For(registry);
            var (path, options) = Target(http);
            var o = SystemOptions(options);
            http.Response.Headers["OData-Version"] = "4.0";
            if (path.Length == 0) await ServiceDocument(http, model, o);
            else if (path == "$metadata") await Metadata(http, model, o);
            else await Resource(http, model, db, path, o, options);
        }
        catch (ODataRequestException e) when (!http.Response.HasStarted)
        {
            await WriteError(http, e);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal) && !http.Response.HasStarted)
        {
            // a data exception (overflow, out of range …) raised by the client's expression
            await WriteError(http, ODataRequestException.Invalid("$filter", $"the database could not evaluate it: {e.MessageText}", $"la base de datos no pudo evaluarla: {e.MessageText}"));
        }
        catch (Exception e) when (e is not OperationCanceledException && !http.Response.HasStarted)
        {
            log.LogError(e, "OData request {Path} failed", http.Request.Path);
            await WriteError(http, new ODataRequestException(500, "InternalError", null, "An unexpected error occurred; it has been logged.", "Ocurrió un error inesperado; quedó registrado."));
        }
    }

    private static string Root(HttpRequest req) => $"{req.Scheme}://{req.Host}{req.PathBase}/odata";

    /// <summary>
    /// The path after /odata/ (still percent-encoded, for ODataLib's parser) and the query options, both decoded strictly
    /// here first: a NUL or bytes that are not UTF-8 are refused, not replaced.
    /// </summary>
    private static (string Path, List<KeyValuePair<string, string>> Options) Target(HttpContext http)
    {
        var req = http.Request;
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var rawPath = raw is not null && raw.StartsWith('/') ? raw.Split('?')[0] : (req.PathBase + req.Path).ToUriComponent();
        var prefix = req.PathBase.Add("/odata").ToUriComponent();
        var path = rawPath.Length >= prefix.Length ? rawPath[prefix.Length..].TrimStart('/') : "";
        Decode(path, "path", plusIsSpace: false);

        var options = new List<KeyValuePair<string, string>>();
        foreach (var pair in (req.QueryString.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Decode(eq < 0 ? pair : pair[..eq], "query");
            options.Add(KeyValuePair.Create(name, eq < 0 ? "" : Decode(pair[(eq + 1)..], name)));
        }
        return (path, options);
    }

    /// <summary>Percent-decodes into UTF-8 that must be valid and free of NUL; '+' is a space in query strings, as HTML forms send it.</summary>
    private static string Decode(string raw, string target, bool plusIsSpace = true)
    {
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(raw.Length)];
        var n = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%')
            {
                if (i + 2 >= raw.Length || !byte.TryParse(raw.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                    throw ODataRequestException.Invalid(target, "'%' must be followed by two hexadecimal digits", "'%' debe ir seguido de dos dígitos hexadecimales");
                bytes[n++] = b;
                i += 2;
            }
            else if (c == '+' && plusIsSpace) bytes[n++] = (byte)' ';
            else n += Encoding.UTF8.GetBytes(raw.AsSpan(i, 1), bytes.AsSpan(n));
        }
        string text;
        try { text = StrictUtf8.GetString(bytes, 0, n); }
        catch (DecoderFallbackException) { throw ODataRequestException.Invalid(target, "the address is not valid UTF-8 once percent-decoded", "la dirección no es UTF-8 válido una vez decodificada"); }
        if (text.Contains('\0')) throw ODataRequestException.Invalid(target, "the address contains a NUL character (%00)", "la dirección contiene un carácter NUL (%00)");
        return text;
    }

    /// <summary>The system query options ($…), by lower-case name; custom options (without $) are the client's own and ignored.</summary>
    private static Dictionary<string, string> SystemOptions(List<KeyValuePair<string, string>> options)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in options)
        {
            if (!name.StartsWith('$')) continue;
            var key = name.ToLowerInvariant();
            if (NotOffered.Contains(key)) throw ODataRequestException.NotSupported(name, name, name);
            if (!Offered.Contains(key))
                throw ODataRequestException.Invalid(name, $"unknown system query option {name}; this service takes {string.Join(" ", Offered)}",
                    $"opción de consulta desconocida {name}; este servicio admite {string.Join(" ", Offered)}");
            if (!o.TryAdd(key, value)) throw ODataRequestException.Invalid(name, $"{name} is given more than once", $"{name} aparece más de una vez");
        }
        return o;
    }

    /// <summary>JSON with minimal metadata, or with none when the client asks for it; $format names JSON or is refused (406).</summary>
    private static bool NoMetadata(HttpRequest req, Dictionary<string, string> o)
    {
        if (!o.TryGetValue("$format", out var format)) return req.Headers.Accept.ToString().Contains("odata.metadata=none", StringComparison.OrdinalIgnoreCase);
        var type = format.Split(';')[0].Trim();
        if (!type.Equals("json", StringComparison.OrdinalIgnoreCase) && !type.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            throw new ODataRequestException(406, "NotAcceptable", "$format", $"The format '{format}' is not offered here; use $format=json", $"El formato '{format}' no se ofrece aquí; use $format=json");
        return format.Contains("odata.metadata=none", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task Send(HttpContext http, int status, string contentType, ReadOnlyMemory<byte> body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    private static Task Send(HttpContext http, int status, string contentType, string body) =>
        Send(http, status, contentType, Encoding.UTF8.GetBytes(body));

    /// <summary>What the platform refuses on /odata before or outside the door (malformed bytes, a bare status, a database data exception), in OData's format.</summary>
    public static readonly ErrorFormat Errors = new(["/odata"], (http, p) =>
    {
        var target = p.Extensions.TryGetValue("parameter", out var t) ? t?.ToString() : null;
        return WriteError(http, p.Status == 400
            ? ODataRequestException.Invalid(target ?? "", p.Detail ?? "", ErrorFormat.DetailEs(p))
            : new ODataRequestException(p.Status ?? 500, p.Status switch { >= 500 => "InternalError", 404 => "NotFound", 405 => "MethodNotAllowed", 401 or 403 => "Unauthorized", _ => "InvalidRequest" },
                target, p.Detail ?? "", ErrorFormat.DetailEs(p)));
    });

    private static Task WriteError(HttpContext http, ODataRequestException e)
    {
        JsonObject Part(string message)
        {
            var part = new JsonObject { ["code"] = e.Code, ["message"] = message };
            if (e.Target is not null) part["target"] = e.Target;
            return part;
        }
        var error = Part(e.Message);
        error["details"] = new JsonArray(Part(e.MessageEs));
        http.Response.Headers["OData-Version"] = "4.0";
        return Send(http, e.Status, "application/json;odata.metadata=minimal;charset=utf-8", new JsonObject { ["error"] = error }.ToJsonString(Relaxed));
    }

    private static Task ServiceDocument(HttpContext http, ODataModel model, Dictionary<string, string> o)
    {
        var doc = new JsonObject();
        if (!NoMetadata(http.Request, o)) doc["@odata.context"] = Root(http.Request) + "/$metadata";
        doc["value"] = new JsonArray(model.Sets.Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["kind"] = "EntitySet", ["url"] = s.Name }).ToArray());
        return Send(http, 200, JsonType, doc.ToJsonString(Relaxed));
    }

    /// <summary>CSDL XML by default (Excel, Power BI, ODataLib); CSDL JSON with $format=json or when only JSON is accepted.</summary>
    private static Task Metadata(HttpContext http, ODataModel model, Dictionary<string, string> o)
    {
        var accept = http.Request.Headers.Accept.ToString();
        var format = o.GetValueOrDefault("$format")?.Split(';')[0].Trim().ToLowerInvariant();
        var json = format switch
        {
            null => accept.Contains("application/json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("xml", StringComparison.OrdinalIgnoreCase) && !accept.Contains("*/*", StringComparison.Ordinal),
            "json" or "application/json" => true,
            "xml" or "application/xml" => false,
            _ => throw new ODataRequestException(406, "NotAcceptable", "$format", $"$metadata is offered as xml or json, not '{format}'", $"$metadata se ofrece como xml o json, no '{format}'"),
        };
        return Send(http, 200, json ? "application/json;charset=utf-8" : "application/xml;charset=utf-8", model.Metadata(json));
    }

    private static async Task Resource(HttpContext http, ODataModel model, NpgsqlDataSource db, string rawPath, Dictionary<string, string> o, List<KeyValuePair<string, string>> options)
    {
        ODataPath path;
        try { path = new ODataUriParser(model.Edm, new Uri(rawPath, UriKind.Relative)).ParsePath(); }
        catch (ODataUnrecognizedPathException e)
        {
            throw new ODataRequestException(404, "NotFound", "path", $"'{Uri.UnescapeDataString(rawPath)}' does not exist: {e.Message}", $"'{Uri.UnescapeDataString(rawPath)}' no existe en este servicio");
        }
        catch (Exception e) when (e is not ODataRequestException) { throw ODataRequestException.Invalid("path", e.Message, e.Message); }

        var segments = path.ToList();
        var set = segments[0] is EntitySetSegment es ? model.Find(es.EntitySet.Name) : null;
        if (set is null || segments.Count > 2 || segments.Count == 2 && segments[1] is not (CountSegment or KeySegment))
            throw ODataRequestException.NotSupported("path", "this kind of request (only entity sets, /$count and entities by key are served)",
                "este tipo de solicitud (solo se sirven conjuntos de entidades, /$count y entidades por clave)");

        var parser = new ODataQueryOptionParser(model.Edm, path, o.Where(kv => kv.Key is "$filter" or "$orderby" or "$select").ToDictionary());
        var filter = Parse("$filter", parser.ParseFilter);
        var orderBy = Parse("$orderby", parser.ParseOrderBy);
        var select = Selected(set, Parse("$select", parser.ParseSelectAndExpand));
        var noMetadata = NoMetadata(http.Request, o);

        if (segments.Count == 2 && segments[1] is KeySegment key)
        {
            var value = Parse("path", () => KeyValue(set, key.Keys.Single().Value));
            await Entity(http, db, set, value, select, noMetadata);
            return;
        }
        if (segments.Count == 2)
        {
            await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
            await using var cmd = ODataSql.Count(conn, set, filter);
            await Send(http, 200, "text/plain;charset=utf-8", ((long)(await cmd.ExecuteScalarAsync(http.RequestAborted))!).ToString(CultureInfo.InvariantCulture));
            return;
        }

        object? after = null;
        if (o.TryGetValue("$skiptoken", out var token))
        {
            if (orderBy is not null)
                throw ODataRequestException.Invalid("$skiptoken", "$skiptoken continues in the order of the key and cannot be combined with $orderby; use $skip",
                    "$skiptoken continúa en el orden de la clave y no se combina con $orderby; use $skip");
            after = Parse("$skiptoken", () => KeyValue(set, ODataUriUtils.ConvertFromUriLiteral(token, ODataVersion.V4, model.Edm, set.EntitySet.EntityType.DeclaredKey.Single().Type)));
        }
        var count = o.GetValueOrDefault("$count")?.ToLowerInvariant() switch
        {
            null or "false" => false,
            "true" => true,
            var c => throw ODataRequestException.Invalid("$count", $"$count must be true or false, got '{c}'", $"$count debe ser true o false; se recibió '{c}'"),
        };
        var query = new ODataQuery(filter, orderBy, select, Whole(o, "$top"), Whole(o, "$skip") ?? 0, after);
        await Collection(http, db, set, query, count, noMetadata, options);
    }

    /// <summary>Runs one step of ODataLib's parser: whatever it throws about the client's text is a 400 naming the option.</summary>
    private static T Parse<T>(string option, Func<T> parse)
    {
        try { return parse(); }
        catch (Exception e) when (e is not ODataRequestException) { throw ODataRequestException.Invalid(option, e.Message, e.Message); }
    }

    private static long? Whole(Dictionary<string, string> o, string name)
    {
        if (!o.TryGetValue(name, out var text)) return null;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
            : throw ODataRequestException.Invalid(name, $"{name} must be a whole number from 0 to {long.MaxValue}, got '{text}'", $"{name} debe ser un número entero de 0 a {long.MaxValue}; se recibió '{text}'");
    }

    /// <summary>A key value (from the path or $skiptoken) as the key column's parameter.</summary>
    private static object KeyValue(ODataSet set, object value) => set.Layer.KeyProperty.Type switch
    {
        "integer" => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        "number" => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        "date" when value is Date d => new DateOnly(d.Year, d.Month, d.Day),
        "text" when value is string s => s,
        _ => throw new FormatException($"'{value}' is not a valid key of {set.Name}"),
    };

    /// <summary>The key of the last row of a page as an OData literal, for $skiptoken.</summary>
    private static string KeyLiteral(object value) => value switch
    {
        string s => "'" + s.Replace("'", "''") + "'",
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static IReadOnlyList<ODataField> Selected(ODataSet set, SelectExpandClause? clause)
    {
        if (clause is null || clause.AllSelected) return set.Fields;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in clause.SelectedItems)
        {
            switch (item)
            {
                case WildcardSelectItem: return set.Fields;
                case PathSelectItem { SelectedPath.LastSegment: PropertySegment p, HasOptions: false }: names.Add(p.Property.Name); break;
                default: throw ODataRequestException.NotSupported("$select", "this $select item", "este elemento de $select");
            }
        }
        return set.Fields.Where(f => names.Contains(f.Name)).ToList();
    }

    private static string Context(HttpRequest req, ODataSet set, IReadOnlyList<ODataField> select, bool entity) =>
        $"{Root(req)}/$metadata#{set.Name}" + (select.Count == set.Fields.Count ? "" : $"({string.Join(",", select.Select(f => f.Name))})") + (entity ? "/$entity" : "");

    private static async Task Entity(HttpContext http, NpgsqlDataSource db, ODataSet set, object key, IReadOnlyList<ODataField> select, bool noMetadata)
    {
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var cmd = ODataSql.Entity(conn, set, key, select);
        var members = await cmd.ExecuteScalarAsync(http.RequestAborted) as string
            ?? throw new ODataRequestException(404, "NotFound", "key", $"{set.Name}({KeyLiteral(key)}) does not exist", $"{set.Name}({KeyLiteral(key)}) no existe");
        var context = noMetadata ? "" : "\"@odata.context\":" + JsonSerializer.Serialize(Context(http.Request, set, select, entity: true), Relaxed) + ",";
        await Send(http, 200, JsonType, "{" + context + members + "}");
    }

    /// <summary>
    /// A page of the set: the rows come from PostgreSQL already as JSON and go to the client as they are read. The first
    /// 64 KB wait in memory (a small page is sent whole, with its length); a page that has no more than $top asks for
    /// one row more than it sends, to know whether a next link follows.
    /// </summary>
    private static async Task Collection(HttpContext http, NpgsqlDataSource db, ODataSet set, ODataQuery q, bool count, bool noMetadata, List<KeyValuePair<string, string>> options)
    {
        var ct = http.RequestAborted;
        var paged = q.Top is not { } top || top > PageSize;
        var limit = paged ? PageSize : (int)q.Top!.Value;
        await using var conn = await db.OpenConnectionAsync(ct);
        var head = new StringBuilder("{");
        if (!noMetadata) head.Append("\"@odata.context\":").Append(JsonSerializer.Serialize(Context(http.Request, set, q.Select, entity: false), Relaxed)).Append(',');
        if (count)
        {
            await using var c = ODataSql.Count(conn, set, q.Filter);
            head.Append("\"@odata.count\":").Append(((long)(await c.ExecuteScalarAsync(ct))!).ToString(CultureInfo.InvariantCulture)).Append(',');
        }
        head.Append("\"value\":[");

        await using var cmd = ODataSql.Page(conn, set, q, paged ? limit + 1 : limit);
        await using var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        var held = new ArrayBufferWriter<byte>();
        IBufferWriter<byte> w = held;
        PipeWriter? pipe = null;
        Encoding.UTF8.GetBytes(head.ToString(), w);
        long pending = 0;
        var rows = 0;
        object? last = null;
        var more = false;
        while (await reader.ReadAsync(ct))
        {
            if (rows == limit) { more = true; break; }
            if (rows++ > 0) pending += Encoding.UTF8.GetBytes(",", w);
            pending += Encoding.UTF8.GetBytes(reader.GetString(0), w);
            last = reader.GetValue(1);
            if (pending < HoldBytes) continue;
            w = pipe ??= Start(http, held);
            await pipe.FlushAsync(ct);
            pending = 0;
        }
        var tail = "]";
        if (more) tail += ",\"@odata.nextLink\":" + JsonSerializer.Serialize(NextLink(http.Request, set, q, options, limit, last!), Relaxed);
        Encoding.UTF8.GetBytes(tail + "}", w);
        if (pipe is null)
        {
            http.Response.ContentLength = held.WrittenCount;
            pipe = Start(http, held);
        }
        await pipe.FlushAsync(ct);
    }

    /// <summary>Sends the status, the headers and what was held back; the rest of the page goes straight to the client.</summary>
    private static PipeWriter Start(HttpContext http, ArrayBufferWriter<byte> held)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = JsonType;
        http.Response.BodyWriter.Write(held.WrittenSpan);
        return http.Response.BodyWriter;
    }

    /// <summary>The same request for the next page: after the last key ($skiptoken) in key order, else $skip further; $top what is left.</summary>
    private static string NextLink(HttpRequest req, ODataSet set, ODataQuery q, List<KeyValuePair<string, string>> options, int limit, object lastKey)
    {
        static string Name(string n) => Uri.EscapeDataString(n).Replace("%24", "$", StringComparison.Ordinal);
        var pairs = options.Where(kv => kv.Key.ToLowerInvariant() is not ("$top" or "$skip" or "$skiptoken"))
            .Select(kv => Name(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)).ToList();
        if (q.Top is { } top) pairs.Add("$top=" + (top - limit).ToString(CultureInfo.InvariantCulture));
        pairs.Add(q.OrderBy is null
            ? "$skiptoken=" + Uri.EscapeDataString(KeyLiteral(lastKey))
            : "$skip=" + (q.Skip + limit).ToString(CultureInfo.InvariantCulture));
        return $"{Root(req)}/{set.Name}?{string.Join("&", pairs)}";
    }
}
