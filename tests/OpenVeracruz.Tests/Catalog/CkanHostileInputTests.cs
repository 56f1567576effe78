namespace OpenVeracruz.Tests.Catalog;

/// <summary>The CKAN Action API against hostile input: refusals keep CKAN's envelope.</summary>
[Collection(nameof(HostileInput))]
public sealed class CkanHostileInputTests(HostileInput f) : HostileInputTests(f)
{
    protected override async Task<IReadOnlyList<string>> TemplatesAsync()
    {
        var (_, pkg, _) = await F.GetJsonAsync("/api/3/action/package_show?id=predios-sinteticos");
        var id = pkg.GetProperty("result").GetProperty("resources").EnumerateArray().First(r => r.GetProperty("datastore_active").GetBoolean()).GetProperty("id").GetString();
        return
        [
            "/api/3/action/package_search?q={predios}&rows={5}&start={0}&sort={name%20asc}&fq={tags:catastro}",
            "/api/3/action/{package_show}?id={predios-sinteticos}",
            $"/api/3/action/datastore_search?resource_id={{{id}}}&filters={{%7B%22land_use%22%3A%22comercial%22%7D}}&q={{Veracruz}}&sort={{clave%20desc}}&fields={{clave,land_use}}&limit={{5}}&offset={{0}}",
            $"/api/3/action/datastore_search_sql?sql={{SELECT%20clave%20FROM%20%22{id}%22%20LIMIT%205}}",
        ];
    }

    protected override void AssertErrorFormat(HttpResponseMessage response, string body)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var envelope = Json(body);
        Assert.False(envelope.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(envelope.GetProperty("error").GetProperty("__type").GetString()), "__type");
        Assert.False(string.IsNullOrEmpty(envelope.GetProperty("error").GetProperty("message").GetString()), "message");
    }
}
