using System.Net;
using System.Text.Json;

namespace OpenVeracruz.Tests.Scale;

/// <summary>The OGC door's queries take turns per instance (Ogc:ConcurrentQueries, Ogc:QueuedQueries): a burst waits, and only what overflows the line is refused.</summary>
[Collection(nameof(ScaleOut))]
public class QueryTurnTests(ScaleOut f)
{
    private const string Page = "/ogc/collections/parcels/items?limit=1000";

    [Fact]
    public async Task A_burst_of_queries_waits_its_turn_and_all_of_it_is_answered()
    {
        // one query at a time, the rest in line: every request of the burst gets its full page
        var (host, http) = await f.SecondInstanceAsync(new Dictionary<string, string> { ["Ogc:ConcurrentQueries"] = "1" });
        await using (host)
        using (http)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => http.GetAsync(Page)));
            foreach (var a in answers)
            {
                Assert.Equal(HttpStatusCode.OK, a.StatusCode);
                Assert.Equal(1000, JsonDocument.Parse(await a.Content.ReadAsStringAsync()).RootElement.GetProperty("features").GetArrayLength());
            }
        }
    }

    [Fact]
    public async Task Queries_beyond_the_line_are_refused_with_429_in_the_ogc_format()
    {
        var (host, http) = await f.SecondInstanceAsync(new Dictionary<string, string> { ["Ogc:ConcurrentQueries"] = "1", ["Ogc:QueuedQueries"] = "0" });
        await using (host)
        using (http)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => http.GetAsync(Page)));
            Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, (HttpStatusCode)429 }));
            Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
            var refused = Assert.Single(answers.Where(a => a.StatusCode == (HttpStatusCode)429).Take(1));
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.True(problem.TryGetProperty("code", out _), problem.ToString());
        }
    }
}
