namespace OpenVeracruz.Platform.Shared;

/// <summary>Text cells of the CSV the doors write (downloads, datastore), safe to open in a spreadsheet.</summary>
public static class SpreadsheetText
{
    /// <summary>A spreadsheet runs a cell that starts with = + - @ (or a tab/CR) as a formula: such text is prefixed with '.</summary>
    public static string Neutralise(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
