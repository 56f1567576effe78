using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenVeracruz.Platform.Catalog;

/// <summary>One field:value term of q or fq (a leading - negates it).</summary>
public sealed record SearchTerm(string Field, string Value, bool Negated);

/// <summary>
/// The subset of Solr query syntax CKAN clients send: free text, field:value and field:"quoted value" terms,
/// optionally prefixed with + or -, joined by spaces or AND; *:* for everything.
/// </summary>
public static partial class CkanSearch
{
    public static readonly HashSet<string> Fields = ["name", "id", "organization", "owner_org", "tags", "groups", "res_format", "license_id", "title", "private"];
    public static readonly string[] FacetFields = ["organization", "groups", "tags", "res_format", "license_id"];

    [GeneratedRegex("""\G\s*(?:(?:AND|OR)\s+)?(?<sign>[+-]?)(?:(?<field>[A-Za-z_][A-Za-z0-9_.]*):(?:"(?<quoted>[^"]*)"|(?<bare>[^\s"()]+))|(?<word>"[^"]*"|[^\s:"()]+))""")]
    private static partial Regex TermPattern();

    public static (List<SearchTerm> Terms, string FreeText) Parse(string? text, bool allowFreeText)
    {
        var terms = new List<SearchTerm>();
        var words = new List<string>();
        text = text?.Trim() ?? "";
        if (text is "" or "*:*" or "*") return (terms, "");
        var pos = 0;
        var matcher = TermPattern();
        while (pos < text.Length)
        {
            if (text[pos..].Trim().Length == 0) break;
            var m = matcher.Match(text, pos);
            if (!m.Success || m.Length == 0) throw CkanException.Search($"cannot parse '{text[pos..].Trim()}'");
            pos += m.Length;
            if (m.Groups["field"].Success)
            {
                var field = m.Groups["field"].Value;
                var value = m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Groups["bare"].Value;
                if (!Fields.Contains(field)) throw CkanException.Search($"unknown field '{field}' (supported: {string.Join(", ", Fields.Order())})");
                if (value == "*") continue; // field:* matches everything
                terms.Add(new SearchTerm(field, value, m.Groups["sign"].Value == "-"));
            }
            else
            {
                if (!allowFreeText) throw CkanException.Search($"'{m.Groups["word"].Value}' is not a field:value term");
                words.Add(m.Groups["word"].Value.Trim('"'));
            }
        }
        return (terms, string.Join(' ', words));
    }

    public static bool Matches(Dataset d, SearchTerm t)
    {
        static bool Eq(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
        var hit = t.Field switch
        {
            "name" => Eq(d.Name, t.Value),
            "id" => Eq(d.Id.ToString(), t.Value),
            "organization" => Eq(d.Organization?.Name, t.Value),
            "owner_org" => Eq(d.OrganizationId.ToString(), t.Value) || Eq(d.Organization?.Name, t.Value),
            "tags" => d.Tags.Any(x => Eq(x.Name, t.Value)),
            "groups" => d.Groups.Any(x => Eq(x.Group?.Name, t.Value)),
            "res_format" => d.Resources.Any(x => x.State == "active" && Eq(x.Format, t.Value)),
            "license_id" => Eq(d.LicenseId, t.Value),
            "title" => d.Title.Contains(t.Value, StringComparison.OrdinalIgnoreCase),
            "private" => Eq(d.Private ? "true" : "false", t.Value),
            _ => false,
        };
        return hit != t.Negated;
    }

    /// <summary>Facet values of a dataset, with their display names.</summary>
    public static IEnumerable<(string Name, string Display)> FacetValues(Dataset d, string field) => field switch
    {
        "organization" => d.Organization is null ? [] : [(d.Organization.Name, d.Organization.Title)],
        "groups" => d.Groups.Where(g => g.Group is not null).Select(g => (g.Group!.Name, g.Group.Title)),
        "tags" => d.Tags.Select(t => (t.Name, t.Name)),
        "res_format" => d.Resources.Where(r => r.State == "active").Select(r => (r.Format, r.Format)).Distinct(),
        "license_id" => [(d.LicenseId, Licenses.Find(d.LicenseId)?.Title ?? d.LicenseId)],
        _ => throw CkanException.Search($"cannot facet on '{field}' (supported: {string.Join(", ", FacetFields)})"),
    };

    /// <summary>Parses "field dir, field dir"; score, metadata_modified, metadata_created, name, title_string.</summary>
    public static Comparison<(Dataset D, double Score)> Sort(string sort)
    {
        var keys = new List<Comparison<(Dataset D, double Score)>>();
        foreach (var part in sort.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bits = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (bits.Length > 2) throw CkanException.Search($"bad sort '{part}'");
            var desc = bits.Length == 2 && bits[1].ToLowerInvariant() switch
            {
                "desc" => true,
                "asc" => false,
                _ => throw CkanException.Search($"bad sort direction '{bits[1]}'"),
            };
            Comparison<(Dataset D, double Score)> cmp = bits[0] switch
            {
                "score" => (a, b) => a.Score.CompareTo(b.Score),
                "metadata_modified" => (a, b) => a.D.MetadataModified.CompareTo(b.D.MetadataModified),
                "metadata_created" => (a, b) => a.D.MetadataCreated.CompareTo(b.D.MetadataCreated),
                "name" => (a, b) => string.CompareOrdinal(a.D.Name, b.D.Name),
                "title_string" or "title" => (a, b) => string.Compare(a.D.Title, b.D.Title, CultureInfo.GetCultureInfo("es-MX"), CompareOptions.IgnoreCase),
                _ => throw CkanException.Search($"cannot sort by '{bits[0]}'"),
            };
            keys.Add(desc ? (a, b) => cmp(b, a) : cmp);
        }
        keys.Add((a, b) => string.CompareOrdinal(a.D.Name, b.D.Name)); // stable paging
        return (a, b) =>
        {
            foreach (var k in keys)
            {
                var c = k(a, b);
                if (c != 0) return c;
            }
            return 0;
        };
    }
}
