using System.Globalization;
using System.Text.Json;

namespace OpenVeracruz.Etl.Uploads;

/// <summary>
/// Column types of an upload (integer, number, date yyyy-mm-dd, text), inferred from every value of the column.
/// Readers hand over canonical values: null, long, double, DateOnly or string. Text from a CSV is untyped and is
/// parsed here; text from a typed source (GeoJSON strings, DBF character fields) stays text.
/// </summary>
public static class ValueTypes
{
    /// <summary>What a CSV cell holds: a whole number (no leading zeros, so codes such as 007 stay text), a decimal, a date, or text.</summary>
    public static object? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var s = text.Trim();
        var digits = s.TrimStart('-', '+');
        if (digits.Length > 1 && digits[0] == '0' && char.IsDigit(digits[1])) return text;
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
        if (double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) return d;
        if (s.Length == 10 && DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        return text;
    }

    /// <summary>A JSON value as a canonical value; objects and arrays as their JSON text.</summary>
    public static object? FromJson(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.TryGetInt64(out var l) ? l : v.GetDouble(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => v.GetRawText(),
    };

    /// <summary>A .NET value from a DBF or SQLite reader as a canonical value.</summary>
    public static object? FromClr(object? v) => v switch
    {
        null or DBNull => null,
        string s => s.Length == 0 ? null : s,
        int or long or short or byte or sbyte or uint or ushort => System.Convert.ToInt64(v, CultureInfo.InvariantCulture),
        double d => double.IsFinite(d) ? d : null,
        float f => double.IsFinite(f) ? (double)f : null,
        decimal m => (double)m,
        DateTime dt => DateOnly.FromDateTime(dt),
        DateOnly d => d,
        bool b => b ? "true" : "false",
        byte[] bytes => System.Convert.ToBase64String(bytes),
        _ => System.Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    /// <summary>The type that holds every value of a column: integer ⊂ number; dates only with dates; anything else is text.</summary>
    public static string Infer(IEnumerable<object?> values)
    {
        bool anyLong = false, anyDouble = false, anyDate = false, anyText = false;
        foreach (var v in values)
            switch (v)
            {
                case null: break;
                case long: anyLong = true; break;
                case double: anyDouble = true; break;
                case DateOnly: anyDate = true; break;
                default: anyText = true; break;
            }
        if (anyText || anyDate && (anyLong || anyDouble)) return "text";
        if (anyDate) return "date";
        if (anyDouble) return "number";
        return anyLong ? "integer" : "text";
    }

    /// <summary>A canonical value converted to the column's type (every value fits: the type was inferred from them).</summary>
    public static object? Convert(object? v, string type) => (v, type) switch
    {
        (null, _) => null,
        (long l, "number") => (double)l,
        (_, "text") => v switch
        {
            string s => s,
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            _ => System.Convert.ToString(v, CultureInfo.InvariantCulture),
        },
        _ => v,
    };

    /// <summary>
    /// Infers each column's type from its values and converts the values in place. With <paramref name="untypedText"/>
    /// (CSV) strings are parsed first; a column that stays text keeps the original strings untouched.
    /// </summary>
    public static List<UploadColumn> Resolve(IReadOnlyList<object?[]> rows, IReadOnlyList<string> titles, bool untypedText)
    {
        var names = ColumnNames.Unique(titles);
        var columns = new List<UploadColumn>(titles.Count);
        for (var i = 0; i < titles.Count; i++)
        {
            var col = i;
            var type = Infer(rows.Select(r => untypedText && r[col] is string s ? Parse(s) : r[col]));
            foreach (var r in rows)
            {
                var v = untypedText && r[col] is string s ? (type == "text" ? (string.IsNullOrWhiteSpace(s) ? null : s) : Parse(s)) : r[col];
                r[col] = Convert(v, type);
            }
            columns.Add(new UploadColumn(names[i], titles[i], type));
        }
        return columns;
    }
}
