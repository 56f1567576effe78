using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>An error in CKAN's own shape: {"success": false, "error": {"__type", "message", …}}.</summary>
public sealed class CkanException(int status, string type, string message, JsonObject? extra = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Type { get; } = type;
    public JsonObject? Extra { get; } = extra;
    /// <summary>Seconds a client should wait before trying again (Retry-After), for answers to load.</summary>
    public int? RetryAfter { get; init; }

    public static CkanException NotFound(string what) => new(404, "Not Found Error", $"Not found: {what}");
    public static CkanException Validation(string field, string message) => new(409, "Validation Error", message, new JsonObject { [field] = new JsonArray(message) });
    public static CkanException Search(string message) => new(409, "Search Query Error", $"Search Query is invalid: {message}");
    public static CkanException Denied(string action) => new(403, "Authorization Error", $"Access denied: {action} requires an API token of a staff account (Authorization header)");
}

/// <summary>The parameters of an action call: the query string of a GET, or the JSON object of a POST.</summary>
public sealed class CkanParams(JsonObject values)
{
    public JsonObject Values { get; } = values;

    public static async Task<CkanParams> ReadAsync(HttpRequest req, CancellationToken ct)
    {
        if (HttpMethods.IsPost(req.Method) && req.ContentLength != 0 && (req.ContentType ?? "").Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var node = await JsonNode.ParseAsync(req.Body, cancellationToken: ct);
                if (node is JsonObject o) return new CkanParams(o);
                throw new CkanException(400, "Bad Request", "Bad request - JSON body must be an object");
            }
            catch (JsonException e) { throw new CkanException(400, "Bad Request", $"Bad request - JSON Error: {e.Message}"); }
        }
        var values = new JsonObject();
        foreach (var (k, v) in req.Query) values[k] = v.ToString();
        if (HttpMethods.IsPost(req.Method) && req.HasFormContentType)
            foreach (var (k, v) in await req.ReadFormAsync(ct)) values[k] = v.ToString();
        return new CkanParams(values);
    }

    public string? String(string name) => Values[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var n => n.ToJsonString(),
    };

    public string Required(string name) =>
        String(name) is { Length: > 0 } s ? s : throw CkanException.Validation(name, "Missing value");

    public int Int(string name, int fallback, int min, int max)
    {
        var node = Values[name];
        if (node is null) return fallback;
        int value;
        if (node is JsonValue v && v.TryGetValue<int>(out var i)) value = i;
        else if (!int.TryParse(String(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
            throw CkanException.Validation(name, "Invalid integer");
        if (value < min) throw CkanException.Validation(name, $"Must be a natural number of at least {min}");
        return Math.Min(value, max);
    }

    public bool Bool(string name, bool fallback)
    {
        var node = Values[name];
        if (node is null) return fallback;
        if (node is JsonValue v && v.TryGetValue<bool>(out var b)) return b;
        return String(name)?.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" or "" => false,
            _ => throw CkanException.Validation(name, "Invalid boolean"),
        };
    }

    /// <summary>A list given as a JSON array, a JSON-encoded array string, or comma-separated text.</summary>
    public List<string>? List(string name)
    {
        var node = Values[name];
        if (node is null) return null;
        if (node is JsonArray a) return a.Select(x => x?.ToString() ?? "").ToList();
        var text = String(name)!.Trim();
        if (text.StartsWith('['))
        {
            try { return JsonNode.Parse(text)!.AsArray().Select(x => x?.ToString() ?? "").ToList(); }
            catch (Exception e) when (e is JsonException or InvalidOperationException) { throw CkanException.Validation(name, "Invalid JSON list"); }
        }
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }
}

public delegate Task<JsonNode?> CkanAction(CkanContext context);

/// <summary>What an action sees: its parameters, the request, the services.</summary>
public sealed record CkanContext(CkanParams Params, HttpContext Http, string BaseUrl, CancellationToken Ct)
{
    public T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();
    /// <summary>The read doors' data source (a replica when one is configured), for the datastore's row reads.</summary>
    public NpgsqlDataSource ReadSource => Http.RequestServices.GetRequiredKeyedService<NpgsqlDataSource>(PlatformDatabase.Read);

    /// <summary>A result already written as UTF-8 JSON (an action that bounds its output in bytes sets it and returns null).</summary>
    public byte[]? RawResult { get; set; }
}

/// <summary>The CKAN Action API v3 at /api/3/action/{action}, GET and JSON POST, with CKAN's envelope and errors.</summary>
public static class CkanApi
{
    /// <summary>Accents and ñ as UTF-8 text, not \u escapes: the output is read by people in workshops too.</summary>
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // concurrent: every host registers the actions as it starts, and a process may run several (the tests run one per collection)
    private static readonly ConcurrentDictionary<string, (CkanAction Action, string Help, Func<HttpContext, Task>? BeforeForm, bool SideEffectFree)> Actions = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers an action that may change state: POST only, as in CKAN. <paramref name="beforeForm"/> runs before a form
    /// body is read (authorization and size limits of uploads).
    /// </summary>
    public static void Register(string name, string help, CkanAction action, Func<HttpContext, Task>? beforeForm = null) => Actions[name] = (action, help, beforeForm, false);

    /// <summary>Registers an action that only reads (CKAN's side_effect_free): GET with query parameters, or POST.</summary>
    public static void RegisterRead(string name, string help, CkanAction action) => Actions[name] = (action, help, null, true);

    public static IReadOnlyCollection<string> ActionNames => [.. Actions.Keys];

    public static string? HelpFor(string name) => Actions.TryGetValue(name, out var a) ? a.Help : null;

    public static IEndpointRouteBuilder MapCkanApi(this IEndpointRouteBuilder app)
    {
        CkanReadActions.RegisterAll();
        app.MapMethods("/api/3/action/{action}", ["GET", "POST"], Dispatch)
            .WithTags("CKAN Action API v3").WithName("CkanAction")
            .WithSummary("API de acciones de CKAN v3 (package_search, package_show, datastore_search, …) / CKAN Action API v3");
        // CKAN answers the unversioned address too, and it is the one ckanapi calls (RemoteCKAN.base_url = 'api/action/')
        app.MapMethods("/api/action/{action}", ["GET", "POST"], Dispatch).ExcludeFromDescription();
        app.MapGet("/api/3", () => Results.Json(new { version = 3 })).ExcludeFromDescription();
        return app;
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static async Task Dispatch(string action, HttpContext http)
    {
        var baseUrl = BaseUrl(http);
        try
        {
            if (!Actions.TryGetValue(action, out var entry))
                throw new CkanException(400, "Bad Request", $"Bad request - Action name not known: {action}");
            // a link or an image can make a browser GET: only actions that change nothing answer one (CKAN's own rule and words)
            if (!entry.SideEffectFree && !HttpMethods.IsPost(http.Request.Method))
                throw new CkanException(400, "Bad Request", "Bad request - JSON Error: Invalid request. Please use POST method for your request",
                    new JsonObject { ["message_es"] = "Solicitud incorrecta: esta acción cambia datos y sólo se llama con POST" });
            if (entry.BeforeForm is { } before && http.Request.HasFormContentType) await before(http);
            var p = await CkanParams.ReadAsync(http.Request, http.RequestAborted);
            var context = new CkanContext(p, http, baseUrl, http.RequestAborted);
            var result = await entry.Action(context);
            await WriteAsync(http, 200, true, "result", result, context.RawResult);
        }
        catch (CkanException e)
        {
            if (e.RetryAfter is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(http, e);
        }
    }

    /// <summary>
    /// CKAN's error envelope. Also how the platform answers on these paths when it refuses a request before or outside an
    /// action (malformed bytes, a forged cross-site request, a database data exception): see <see cref="ErrorFormat"/>.
    /// </summary>
    private static Task WriteErrorAsync(HttpContext http, CkanException e)
    {
        var error = new JsonObject { ["__type"] = e.Type, ["message"] = e.Message };
        if (e.Extra is not null)
            foreach (var (k, v) in e.Extra) error[k] = v?.DeepClone();
        return WriteAsync(http, e.Status, false, "error", error);
    }

    public static readonly ErrorFormat Errors = new(["/api/3/action", "/api/action"], (http, p) => WriteErrorAsync(http,
        new CkanException(p.Status ?? 500, p.Status switch
        {
            >= 500 => "Internal Server Error",
            404 => "Not Found Error",
            401 or 403 => "Authorization Error",
            429 => "Too Many Requests",
            _ => "Bad Request",
        }, p.Detail ?? "", new JsonObject { ["message_es"] = ErrorFormat.DetailEs(p) })));

    /// <summary>Writes the envelope; <paramref name="raw"/>, when given, is the result already serialised (streamed records).</summary>
    private static async Task WriteAsync(HttpContext http, int status, bool success, string member, JsonNode? value, byte[]? raw = null)
    {
        var action = http.Request.RouteValues["action"]?.ToString() ?? http.Request.Path.Value?.Split('/')[^1] ?? "";
        var body = new JsonObject
        {
            ["help"] = $"{BaseUrl(http)}/api/3/action/help_show?name={Uri.EscapeDataString(action)}",
            ["success"] = success,
            [member] = value,
        };
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Encoder = Json.Encoder });
        writer.WriteStartObject();
        foreach (var (k, v) in body)
        {
            writer.WritePropertyName(k);
            if (k == "result" && raw is not null) writer.WriteRawValue(raw, skipInputValidation: true);
            else if (v is null) writer.WriteNullValue();
            else v.WriteTo(writer, Json);
        }
        writer.WriteEndObject();
        await writer.FlushAsync(http.RequestAborted);
    }
}
