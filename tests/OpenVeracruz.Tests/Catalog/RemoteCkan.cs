using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>
/// The CKAN client most scripts use, ckanapi 4.11 (PyPI only, so not installable here), reproduced request for request from
/// its source (ckanapi/remoteckan.py, common.py, cli/dump.py): POST {address}/api/action/{name} with the values as ASCII JSON
/// (Content-Type application/json) or, when a value is a file, as multipart/form-data whose parts carry no content type; the
/// API key in both X-CKAN-API-Key and Authorization, unprefixed; its User-Agent; redirects not followed. With getOnly, a GET
/// with the values in the query string as Python's requests writes them. Answers are read as ckanapi reads them: the result
/// when success is true, else error.__type mapped to its exceptions.
/// </summary>
public sealed class RemoteCkan(Uri address, string? apikey = null, bool getOnly = false) : IDisposable
{
    public const string UserAgent = "ckanapi/4.11 (+https://github.com/ckan/ckanapi)";

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>A file value, as ckanapi sends an open file object: its base name and its bytes.</summary>
    public sealed record FileValue(string FileName, byte[] Bytes);

    public async Task<JsonElement> CallActionAsync(string action, IReadOnlyDictionary<string, object?>? data = null)
    {
        data ??= new Dictionary<string, object?>();
        var files = data.Where(kv => kv.Value is FileValue).ToList();
        var url = new Uri(address, "api/action/" + action);
        using var request = getOnly
            ? new HttpRequestMessage(HttpMethod.Get, url + Query(data))
            : new HttpRequestMessage(HttpMethod.Post, url) { Content = files.Count > 0 ? Multipart(data) : Json(data) };
        if (apikey is not null)
        {
            request.Headers.TryAddWithoutValidation("X-CKAN-API-Key", apikey);
            request.Headers.TryAddWithoutValidation("Authorization", apikey);
        }
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        using var response = await _http.SendAsync(request);
        return Reverse(url, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>GET of a link the API gave (datastore_search's _links), with the same headers.</summary>
    public async Task<JsonElement> FollowAsync(string link)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, link));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        using var response = await _http.SendAsync(request);
        return Reverse(request.RequestUri!, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>json.dumps(data_dict).encode('ascii'): every non-ASCII character escaped.</summary>
    private static ByteArrayContent Json(IReadOnlyDictionary<string, object?> data)
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(JsonSerializer.Serialize(data)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>requests' encode_files: the values (text, None left out) first, then the files; no content type on any part.</summary>
    private static MultipartFormDataContent Multipart(IReadOnlyDictionary<string, object?> data)
    {
        var form = new MultipartFormDataContent(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant());
        foreach (var (k, v) in data.Where(kv => kv.Value is not (null or FileValue)))
            form.Add(Part(Encoding.UTF8.GetBytes(Text(v)), k, null));
        foreach (var (k, v) in data.Where(kv => kv.Value is FileValue))
            form.Add(Part(((FileValue)v!).Bytes, k, ((FileValue)v).FileName));
        return form;
    }

    private static ByteArrayContent Part(byte[] bytes, string name, string? fileName)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = $"\"{name}\"", FileName = fileName is null ? null : $"\"{fileName}\"" };
        return part;
    }

    /// <summary>requests' params=: str() of each value (True/False as Python prints them), lists as repeated keys, None left out.</summary>
    private static string Query(IReadOnlyDictionary<string, object?> data)
    {
        var pairs = data.Where(kv => kv.Value is not null).SelectMany(kv => kv.Value is System.Collections.IEnumerable list and not string
            ? list.Cast<object>().Select(v => (kv.Key, Text(v)))
            : [(kv.Key, Text(kv.Value))]);
        var query = string.Join("&", pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Item2)}"));
        return query.Length == 0 ? "" : "?" + query;
    }

    private static string Text(object? v) => v switch
    {
        bool b => b ? "True" : "False",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v?.ToString() ?? "",
    };

    /// <summary>ckanapi's reverse_apicontroller_action.</summary>
    private static JsonElement Reverse(Uri url, int status, string response)
    {
        JsonElement? error = null;
        try
        {
            using var doc = JsonDocument.Parse(response);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("success", out var ok) && ok.ValueKind == JsonValueKind.True)
                return root.GetProperty("result").Clone();
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e)) error = e.Clone();
        }
        catch (JsonException) { }
        if (error is { ValueKind: not JsonValueKind.Object }) throw new ServerIncompatibleError($"{url} {status} {response}");
        var type = error?.TryGetProperty("__type", out var t) == true ? t.GetString() : null;
        var message = error?.TryGetProperty("message", out var m) == true && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        message = message.Split(": ", 2)[^1];
        throw type switch
        {
            "Search Query Error" => new SearchQueryError(message),
            "Validation Error" => new ValidationError(error!.Value),
            "Not Found Error" => new NotFound(message),
            "Authorization Error" => new NotAuthorized(error!.Value),
            _ => new CkanApiError($"{url} {status} {response}"),
        };
    }

    /// <summary>`ckanapi dump datasets --all [--datastore-fields] -r URL`: package_list with its flags, then package_show of each name.</summary>
    public async Task<List<JsonObject>> DumpDatasetsAllAsync(bool datastoreFields)
    {
        var names = await CallActionAsync("package_list", new Dictionary<string, object?>
        {
            ["include_private"] = false, ["include_drafts"] = false, ["include_deleted"] = false,
        });
        var records = new List<JsonObject>();
        foreach (var name in names.EnumerateArray().Select(n => n.GetString()!))
        {
            JsonObject record;
            try
            {
                record = JsonNode.Parse((await CallActionAsync("package_show", new Dictionary<string, object?>
                {
                    ["id"] = name, ["include_datasets"] = false, ["include_password_hash"] = true, ["include_users"] = false,
                })).GetRawText())!.AsObject();
            }
            catch (Exception e) when (e is NotFound or NotAuthorized) { continue; } // the worker replies the error and goes on
            if (datastoreFields)
                foreach (var res in record["resources"]!.AsArray().OfType<JsonObject>().Where(r => r["datastore_active"]?.GetValue<bool>() == true))
                {
                    try
                    {
                        var ds = await CallActionAsync("datastore_search", new Dictionary<string, object?> { ["resource_id"] = res["id"]!.GetValue<string>(), ["limit"] = 0 });
                        res["datastore_fields"] = JsonNode.Parse(ds.GetProperty("fields").GetRawText());
                    }
                    catch (Exception e) when (e is CkanApiError) { }
                }
            records.Add(record);
        }
        return records;
    }

    public void Dispose() => _http.Dispose();
}

public class CkanApiError(string message) : Exception(message);
public sealed class ServerIncompatibleError(string message) : CkanApiError(message);
public sealed class NotFound(string message) : CkanApiError(message);
public sealed class SearchQueryError(string message) : CkanApiError(message);
public sealed class NotAuthorized(JsonElement error) : CkanApiError(error.ToString())
{
    public JsonElement Error { get; } = error;
}
public sealed class ValidationError(JsonElement error) : CkanApiError(error.ToString())
{
    /// <summary>The whole error dictionary, as ckanapi's ValidationError.error_dict.</summary>
    public JsonElement ErrorDict { get; } = error;
}
