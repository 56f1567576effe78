using Microsoft.EntityFrameworkCore;
using NetTopologySuite.Geometries;
using OpenVeracruz.Platform.Data;

namespace OpenVeracruz.Platform.Appointments;

/// <summary>
/// The offices, services and schedules the platform starts with (ILLUSTRATIVE: coordinates approximate, durations, costs
/// and desks invented for the demonstration; see datasets/oficinas-cero-filas), and Mexico's federal holidays (Ley Federal
/// del Trabajo, art. 74) for this year and the next. Idempotent: what exists is never overwritten, so staff edits stay.
/// </summary>
public static class Seed
{
    private sealed record OfficeSeed(string Code, string Name, string Dependency, string Address, string Accessibility, double Lon, double Lat);
    private sealed record ServiceSeed(string Office, string Procedure, string Name, string Prefix, int Minutes, string Requirements, decimal Cost, string LegalBasis, bool Online, int Desks, bool Saturday = false);

    private static readonly OfficeSeed[] OfficeSeeds =
    [
        new("palacio-municipal", "Palacio Municipal — Atención Ciudadana", "Secretaría del Ayuntamiento", "Plaza de la Constitución (zócalo), Centro Histórico, Veracruz, Ver.",
            "Rampa de acceso por la Plaza de Armas; ventanilla a nivel de calle", -96.13410, 19.20060),
        new("tesoreria-cajas", "Tesorería Municipal — Cajas", "Tesorería Municipal", "Palacio Municipal, planta baja, Centro Histórico, Veracruz, Ver.",
            "Cajas a nivel de calle; fila preferente", -96.13425, 19.20045),
        new("catastro", "Dirección de Catastro", "Tesorería Municipal — Catastro", "Centro Histórico, Veracruz, Ver. (ubicación aproximada)",
            "Planta baja", -96.13520, 19.19980),
        new("registro-civil", "Registro Civil — Oficialía Central", "Registro Civil Municipal", "Centro Histórico, Veracruz, Ver. (ubicación aproximada)",
            "Planta baja; sillas de espera", -96.13650, 19.19850),
        new("dif-municipal", "DIF Municipal", "Sistema Municipal para el Desarrollo Integral de la Familia", "Veracruz, Ver. (ubicación aproximada)",
            "Accesible en silla de ruedas; sanitarios adaptados", -96.14300, 19.17900),
    ];

    /// <summary>The seeded offices' codes (the synthetic history is theirs).</summary>
    public static string[] OfficeCodes => [.. OfficeSeeds.Select(o => o.Code)];

    private const string Hacendario = "Código Hacendario para el Municipio de Veracruz (ilustrativo)";

    private static readonly ServiceSeed[] ServiceSeeds =
    [
        new("tesoreria-cajas", "predial", "Pago del impuesto predial", "P", 10, "Clave catastral o último recibo de pago; identificación oficial", 0m, Hacendario, true, 3, Saturday: true),
        new("palacio-municipal", "predial", "Pago del impuesto predial", "P", 10, "Clave catastral o último recibo de pago; identificación oficial", 0m, Hacendario, true, 1),
        new("catastro", "constancia-catastral", "Constancia de valor catastral", "C", 20, "Clave catastral; identificación oficial; recibo de predial al corriente", 250m, Hacendario, false, 2),
        new("catastro", "traslado-dominio", "Traslado de dominio", "T", 30, "Escritura o contrato; avalúo; recibo de predial al corriente", 0m, Hacendario, false, 1),
        new("registro-civil", "actas", "Copias certificadas de actas del Registro Civil", "A", 15, "CURP o datos del acta (nombre, fecha y lugar de registro)", 160m,
            "Código Civil para el Estado de Veracruz; Código Hacendario Municipal (ilustrativo)", true, 3),
        new("palacio-municipal", "actas", "Copias certificadas de actas del Registro Civil", "A", 15, "CURP o datos del acta (nombre, fecha y lugar de registro)", 160m,
            "Código Civil para el Estado de Veracruz; Código Hacendario Municipal (ilustrativo)", true, 1),
        new("palacio-municipal", "licencia-funcionamiento", "Licencia de funcionamiento de comercio", "L", 30, "Uso de suelo; alta ante el SAT; identificación oficial; croquis del local", 0m,
            "Reglamento de Comercio del Municipio de Veracruz (ilustrativo)", false, 2),
        new("palacio-municipal", "licencia-construccion", "Licencia de construcción", "K", 30, "Planos firmados por perito; escritura; predial al corriente", 0m,
            "Reglamento de Construcción del Municipio de Veracruz (ilustrativo)", false, 1),
        new("dif-municipal", "credencial-discapacidad", "Credencial para personas con discapacidad", "D", 20, "Certificado médico; CURP; fotografía", 0m,
            "Ley para la Integración de las Personas con Discapacidad del Estado de Veracruz (ilustrativo)", false, 2),
    ];

    public static async Task EnsureAsync(AppDbContext db, DateOnly today, CancellationToken ct = default)
    {
        var offices = await db.Offices.ToDictionaryAsync(o => o.Code, ct);
        foreach (var o in OfficeSeeds.Where(o => !offices.ContainsKey(o.Code)))
            db.Offices.Add(offices[o.Code] = new Office
            {
                Code = o.Code, Name = o.Name, Dependency = o.Dependency, Address = o.Address, Accessibility = o.Accessibility, Approximate = true,
                Geom = new Point(o.Lon, o.Lat) { SRID = 4326 },
            });
        await db.SaveChangesAsync(ct);
        var existing = (await db.Services.Select(s => new { s.OfficeId, s.Procedure }).ToListAsync(ct)).Select(s => (s.OfficeId, s.Procedure)).ToHashSet();
        foreach (var s in ServiceSeeds.Where(s => !existing.Contains((offices[s.Office].Id, s.Procedure))))
        {
            var service = new Service
            {
                OfficeId = offices[s.Office].Id, Procedure = s.Procedure, Name = s.Name, Prefix = s.Prefix, DurationMinutes = s.Minutes, Requirements = s.Requirements,
                Cost = s.Cost, LegalBasis = s.LegalBasis, Online = s.Online, ValidFrom = new DateOnly(2025, 1, 1),
            };
            db.Services.Add(service);
            await db.SaveChangesAsync(ct);
            for (var day = 1; day <= 5; day++)
                db.Schedules.Add(new Schedule { ServiceId = service.Id, Weekday = day, Starts = new TimeOnly(8, 30), Ends = new TimeOnly(15, 0), Desks = s.Desks });
            if (s.Saturday)
                db.Schedules.Add(new Schedule { ServiceId = service.Id, Weekday = 6, Starts = new TimeOnly(9, 0), Ends = new TimeOnly(13, 0), Desks = s.Desks });
        }
        var holidays = (await db.Holidays.Select(h => h.Day).ToListAsync(ct)).ToHashSet();
        foreach (var (day, name) in FederalHolidays(today.Year).Concat(FederalHolidays(today.Year + 1)).Where(h => !holidays.Contains(h.Day)))
            db.Holidays.Add(new Holiday { Day = day, Name = name });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Ley Federal del Trabajo, art. 74 (the Monday rules since 2006); the 1 October of a presidential handover (2024, 2030, …).</summary>
    public static IEnumerable<(DateOnly Day, string Name)> FederalHolidays(int year)
    {
        static DateOnly NthMonday(int year, int month, int n)
        {
            var d = new DateOnly(year, month, 1);
            while (d.DayOfWeek != DayOfWeek.Monday) d = d.AddDays(1);
            return d.AddDays(7 * (n - 1));
        }
        yield return (new DateOnly(year, 1, 1), "Año Nuevo");
        yield return (NthMonday(year, 2, 1), "Día de la Constitución");
        yield return (NthMonday(year, 3, 3), "Natalicio de Benito Juárez");
        yield return (new DateOnly(year, 5, 1), "Día del Trabajo");
        yield return (new DateOnly(year, 9, 16), "Día de la Independencia");
        if ((year - 2024) % 6 == 0) yield return (new DateOnly(year, 10, 1), "Transmisión del Poder Ejecutivo Federal");
        yield return (NthMonday(year, 11, 3), "Día de la Revolución");
        yield return (new DateOnly(year, 12, 25), "Navidad");
    }
}
