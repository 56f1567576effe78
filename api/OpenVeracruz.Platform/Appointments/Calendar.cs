using System.Globalization;
using System.Text;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>An appointment as an iCalendar (RFC 5545) event, written by hand: a dozen lines need no library.</summary>
public static class Calendar
{
    public static string Ics(BookingView v, DateTime created)
    {
        static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var lines = new List<string>
        {
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//H. Ayuntamiento de Veracruz//OpenVeracruz Cero Filas//ES", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            $"UID:{v.Folio}@cerofilas.veracruz.gob.mx",
            $"DTSTAMP:{Utc(new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)))}",
            $"DTSTART:{Utc(v.Start)}",
            $"DTEND:{Utc(v.End)}",
            "SUMMARY:" + Text($"Cita {v.Folio}: {string.Join(", ", new[] { v.Service }.Concat(v.ExtraServices))}"),
            "LOCATION:" + Text($"{v.Office}, {v.OfficeAddress}"),
            string.Create(CultureInfo.InvariantCulture, $"GEO:{v.Latitude:F6};{v.Longitude:F6}"),
            "DESCRIPTION:" + Text($"Folio {v.Folio}. Llegue a partir de 20 minutos antes y registre su llegada en el kiosco con el folio o el código QR. Requisitos: {v.Requirements}"),
            "STATUS:" + (v.State == "cancelled" ? "CANCELLED" : "CONFIRMED"),
            "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + Text($"Cita {v.Folio}"), "TRIGGER:-PT1H", "END:VALARM",
            "END:VEVENT", "END:VCALENDAR",
        };
        var sb = new StringBuilder();
        foreach (var line in lines) Fold(sb, line);
        return sb.ToString();
    }

    private static string Text(string s) => s.Replace("\\", "\\\\").Replace(";", "\\;").Replace(",", "\\,").Replace("\r\n", "\\n").Replace("\n", "\\n");

    /// <summary>Lines of at most 75 octets, continued with a space (RFC 5545 §3.1), never splitting a UTF-8 character.</summary>
    private static void Fold(StringBuilder sb, string line)
    {
        var octets = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var n = rune.Utf8SequenceLength;
            if (octets + n > 75) { sb.Append("\r\n "); octets = 1; }
            sb.Append(rune.ToString());
            octets += n;
        }
        sb.Append("\r\n");
    }
}
