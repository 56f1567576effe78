using System.Text.Json;

namespace OpenVeracruz.Tests;

/// <summary>
/// Hostile input, door by door. A door's test class derives from this, lists its addresses as templates and says what its
/// errors look like; the harness sends every template once per placeholder and hostile value — that placeholder replaced by
/// the value, the others keeping their benign text — and asserts what any caller must get: never a 5xx, and every refusal
/// (4xx) in the door's own error format. One failing case does not hide the others: all are listed at the end.
/// <code>
/// [Collection(nameof(HostileInput))]
/// public sealed class MyDoorHostileInputTests(HostileInput f) : HostileInputTests(f, "/mydoor/{things}/items?q={text}&amp;limit={10}")
/// {
///     // only for a door whose standard has its own error format (problem details are the default):
///     protected override void AssertErrorFormat(HttpResponseMessage r, string body) =&gt; …;
/// }
/// </code>
/// In a template each <c>{…}</c> is a placeholder holding its benign value, written as it travels in a URL (percent-encoded);
/// templates that depend on the data (an id) come from overriding <see cref="TemplatesAsync"/>.
/// The classes of hostile input are <see cref="Values"/>; add a class there and every door is tried with it.
/// </summary>
public abstract class HostileInputTests(PlatformFixture f, params string[] templates)
{
    /// <summary>The classes of hostile input, percent-encoded as they travel in a URL.</summary>
    public static readonly IReadOnlyList<(string Class, string Value)> Values =
    [
        ("NUL", "a%00b"),
        ("invalid UTF-8: stray byte", "a%FFb"),
        ("invalid UTF-8: truncated sequence", "%C3"),
        ("invalid UTF-8: overlong slash", "%C0%AF"),
        ("invalid UTF-8: surrogate", "%ED%A0%80"),
        ("huge integer", "99999999999999999999999999999999999999"),
        ("overflowing number", "1e400"),
        ("decimal over 1e35", "100000000000000000000000000000000000.5"),
        ("not a number", "NaN"),
        ("±1e300 coordinates", "-1e300,-1e300,1e300,1e300"),
        ("±1e15 coordinates", "-1e15,-1e15,1e15,1e15"),
        ("CRS nobody serves", "EPSG:99999"),
        ("negative", "-1"),
        ("over-long string", new string('x', 3000)),
        ("SQL: tautology", "'%20OR%20'1'%3D'1"),
        ("SQL: stacked statement", "1%3B%20DROP%20TABLE%20cadastre.parcels%3B--"),
        ("SQL: LIKE wildcards", "%25_%25"),
        ("quotes and backslash", "%22'%5C"),
        ("JSON", "%7B%22a%22%3A%5B1%2Cnull%5D%7D"),
        ("NUL escaped inside JSON", "%7B%22land_use%22%3A%22a%5Cu0000b%22%7D"),
        ("control characters", "%01%1B%7F"),
        ("emoji", "%F0%9F%98%80"),
        ("empty", ""),
        ("path traversal", "..%2F..%2Fetc%2Fpasswd"),
        ("impossible date", "2026-13-45T99:99:99Z"),
    ];

    protected PlatformFixture F { get; } = f;

    /// <summary>The door's addresses, placeholders in braces.</summary>
    protected virtual Task<IReadOnlyList<string>> TemplatesAsync() => Task.FromResult<IReadOnlyList<string>>(templates);

    /// <summary>Asserts that a refusal is in the door's own error format: RFC 9457 problem details unless the door's standard has its own.</summary>
    protected virtual void AssertErrorFormat(HttpResponseMessage response, string body) => AssertProblem(response, body);

    [Fact]
    public async Task Hostile_input_never_gets_a_5xx_and_is_refused_in_the_doors_format()
    {
        var failures = new List<string>();
        var cases = 0;
        foreach (var template in await TemplatesAsync())
        {
            var holes = Placeholders(template);
            Assert.True(holes.Count > 0, $"template without placeholders: {template}");
            foreach (var hole in holes)
                foreach (var (kind, value) in Values)
                {
                    var url = Fill(template, holes, hole, value);
                    cases++;
                    using var response = await F.Http.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    var status = (int)response.StatusCode;
                    if (status >= 500) { failures.Add($"{status} for {kind} in {url}: {Cut(body)}"); continue; }
                    if (status < 400) continue;
                    // Kestrel refuses a NUL in the path itself, before any middleware runs: a bare 400 is all it says
                    var inPath = template.IndexOf('?') is var q && (q < 0 || hole.Start < q);
                    if (status == 400 && body.Length == 0 && inPath && value.Contains("%00")) continue;
                    try { AssertErrorFormat(response, body); }
                    catch (Exception e) { failures.Add($"{status} not in the door's format for {kind} in {url}: {e.Message} — {Cut(body)}"); }
                }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} hostile requests went wrong:\n" + string.Join("\n", failures.Take(40)));
    }

    private static string Cut(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private sealed record Hole(int Start, int End);

    private static List<Hole> Placeholders(string template)
    {
        var holes = new List<Hole>();
        for (var i = template.IndexOf('{'); i >= 0; i = template.IndexOf('{', i + 1))
            holes.Add(new Hole(i, template.IndexOf('}', i)));
        return holes;
    }

    /// <summary>The template with one placeholder replaced by the hostile value and the others by their benign text.</summary>
    private static string Fill(string template, List<Hole> holes, Hole target, string value)
    {
        var url = new System.Text.StringBuilder();
        var at = 0;
        foreach (var h in holes)
        {
            url.Append(template, at, h.Start - at).Append(h == target ? value : template[(h.Start + 1)..h.End]);
            at = h.End + 1;
        }
        return url.Append(template[at..]).ToString();
    }

    /// <summary>RFC 9457 problem details with the bilingual detail (every door without a standard error format of its own).</summary>
    protected static JsonElement AssertProblem(HttpResponseMessage response, string body)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(body);
        var p = doc.RootElement.Clone();
        Assert.Equal((int)response.StatusCode, p.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("detail").GetString()), "detail");
        Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("detail_es").GetString()), "detail_es");
        return p;
    }

    /// <summary>A JSON body, for doors that answer JSON errors.</summary>
    protected static JsonElement Json(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }
}
