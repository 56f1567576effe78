using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Catalog.Uploads;
using OpenVeracruz.Platform.Layers;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>The whole file was refused (not a FeatureCollection, an unclosed quote, an unreadable .prj, …); nothing is loaded.</summary>
public sealed class UploadRejectedException(string message, ImportReport report) : Exception(message)
{
    public ImportReport Report { get; } = report;
}

/// <summary>What an import found wrong: rejected rows and repaired geometries, kept up to a number of rows, all counted.</summary>
public sealed class ImportReport(int maxRows)
{
    private readonly List<ImportProblem> _problems = [];
    private readonly HashSet<long> _rejectedRows = [];

    public IReadOnlyList<ImportProblem> Problems => _problems;
    public int Rejected => _rejectedRows.Count;
    public int Repaired { get; private set; }
    /// <summary>Problems not kept in <see cref="Problems"/> because the report was full.</summary>
    public int Omitted { get; private set; }

    private void Add(long row, string field, string problem)
    {
        // problems quote the file and exceptions: cleaned, or one NUL would make the report itself unstorable
        if (_problems.Count < maxRows) _problems.Add(new ImportProblem(row, StorableText.Clean(field), StorableText.Clean(problem)));
        else Omitted++;
    }

    public void Reject(long row, string field, string problem)
    {
        _rejectedRows.Add(row);
        Add(row, field, problem);
    }

    public void Repair(long row, string problem)
    {
        Repaired++;
        Add(row, "geometry", problem);
    }

    /// <summary>A remark that rejects nothing (row 0: on the whole file).</summary>
    public void Note(long row, string field, string problem) => Add(row, field, problem);

    /// <summary>Text of a row as PostgreSQL can store it: a NUL or a lone surrogate is removed and the row listed, the row kept.</summary>
    public string Storable(string text, long row, string field)
    {
        var clean = StorableText.Clean(text);
        if (clean != text) Add(row, field, "NUL or invalid characters were removed from the text");
        return clean;
    }

    /// <summary>The whole file is refused, with the reason in English and Spanish.</summary>
    public UploadRejectedException Refuse(string message, string messageEs, string field = "file")
    {
        var both = $"{message} / {messageEs}";
        Add(0, field, both);
        return new UploadRejectedException(both, this);
    }
}

/// <summary>A column of an upload: its identifier in the layer table, its original name (the title) and its type.</summary>
public sealed record UploadColumn(string Name, string Title, string Type);

/// <summary>A valid row: its number in the file (CSV line, feature number), its values in column order, its geometry in EPSG:4326.</summary>
public sealed record UploadedRow(long Row, object?[] Values, Geometry Geometry);

/// <summary>An upload read into rows, ready for the layer table.</summary>
public sealed record UploadedTable(IReadOnlyList<UploadColumn> Columns, IReadOnlyList<UploadedRow> Rows, string GeometryType, ImportReport Report)
{
    /// <summary>The layer's properties: the generated key fid first, then the columns.</summary>
    public IReadOnlyList<LayerPropertyManifest> Properties() =>
        [new(ColumnNames.Key, "integer", null, "Identificador del elemento", null), .. Columns.Select(c => new LayerPropertyManifest(c.Name, c.Type, c.Title, c.Title, null))];
}

/// <summary>Column identifiers for layer tables made from the names in a file.</summary>
public static class ColumnNames
{
    public const string Key = "fid";
    /// <summary>Names the layer itself uses: the key, the geometry, and the datastore view's point.</summary>
    private static readonly HashSet<string> Reserved = [Key, "geom", "longitude", "latitude"];

    /// <summary>Lower case, no accents, letters, digits and _ only, at most 60 characters.</summary>
    public static string Plain(string name)
    {
        var sb = new StringBuilder();
        foreach (var ch in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            var c = char.ToLowerInvariant(ch);
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9')) sb.Append(c);
            else if (c == 'ñ') sb.Append('n');
            else if (sb.Length > 0 && sb[^1] != '_') sb.Append('_');
        }
        var s = sb.ToString().Trim('_');
        if (s.Length > 0 && char.IsDigit(s[0])) s = "c_" + s;
        return s.Length > 60 ? s[..60] : s;
    }

    /// <summary>Unique identifiers for the names, in order; empty names become column_N, reserved ones get a suffix.</summary>
    public static List<string> Unique(IEnumerable<string> names)
    {
        var taken = new HashSet<string>(Reserved);
        var result = new List<string>();
        var i = 0;
        foreach (var name in names)
        {
            i++;
            var plain = Plain(name);
            if (plain.Length == 0) plain = $"column_{i}";
            var candidate = plain;
            for (var n = 1; !taken.Add(candidate); n++) candidate = $"{plain}_{n}";
            result.Add(candidate);
        }
        return result;
    }
}
