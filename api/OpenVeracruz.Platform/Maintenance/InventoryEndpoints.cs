using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenVeracruz.Platform.Auth;
using OpenVeracruz.Platform.Data;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Maintenance;

public sealed record EquipmentView(long Id, string InventoryNumber, string Type, string? Brand, string? Model, string? Serial, DateOnly? AcquiredOn,
    string ResponsibleArea, string Status, string Building);

public sealed record RowProblem(int Row, string Column, string Error, string ErrorEs);

/// <summary>What an inventory CSV did: rows read, new and updated pieces of equipment, and every row refused with why.</summary>
public sealed record ImportReport(int Rows, int Imported, int Updated, IReadOnlyList<RowProblem> Rejected);

/// <summary>Equipment per building (staff) and the CSV import of an inventory with a per-row report.</summary>
public static class InventoryEndpoints
{
    public const long MaxCsvBytes = 5L * 1024 * 1024;
    public const int MaxRows = 20_000;

    /// <summary>The columns, by their Spanish header (English accepted too).</summary>
    private static readonly (string Es, string En, bool Required)[] Columns =
    [
        ("inventario", "inventory_number", true), ("tipo", "type", true), ("marca", "brand", false), ("modelo", "model", false),
        ("serie", "serial", false), ("adquisicion", "acquired_on", false), ("area", "responsible_area", true), ("estado", "status", false),
        ("edificio", "building", true),
    ];

    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/maintenance").WithTags("Mantenimiento / IT maintenance");
        g.MapGet("/buildings/{code}/equipment", List).RequireAuthorization(Roles.Viewer).WithName("BuildingEquipment")
            .WithSummary("Inventario de un edificio (solo personal: incluye números de serie) / A building's inventory");
        g.MapPost("/equipment/import", Import).RequireAuthorization(Roles.Supervisor).DisableAntiforgery().WithName("ImportEquipment")
            .WithSummary("Importa un inventario CSV; informe por renglón / Import an inventory CSV with a per-row report");
        return app;
    }

    private static async Task<Ok<List<EquipmentView>>> List(string code, AppDbContext db, CancellationToken ct)
    {
        var building = await db.MaintenanceBuildings.AsNoTracking().FirstOrDefaultAsync(b => b.Code == code, ct)
            ?? throw new BadRequestException($"No building '{code}'", $"No existe el edificio '{code}'", "code", 404);
        var rows = await db.MaintenanceEquipment.AsNoTracking().Where(e => e.BuildingId == building.Id).OrderBy(e => e.InventoryNumber)
            .Select(e => new EquipmentView(e.Id, e.InventoryNumber, e.Type, e.Brand, e.Model, e.Serial, e.AcquiredOn, e.ResponsibleArea, e.Status, building.Code))
            .ToListAsync(ct);
        return TypedResults.Ok(rows);
    }

    internal sealed record Row(int Line, string Inventory, string Type, string? Brand, string? Model, string? Serial, DateOnly? Acquired, string Area, string Status, int BuildingId);

    /// <summary>Reads the CSV: the good rows, and a problem for every broken one. A file without the required columns is refused whole.</summary>
    internal static (List<Row> Good, List<RowProblem> Bad, int Rows) Read(string text, IReadOnlyDictionary<string, int> buildings)
    {
        var delimiter = text.Split('\n', 2)[0].Count(c => c == ';') > text.Split('\n', 2)[0].Count(c => c == ',') ? ";" : ",";
        using var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter, BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false, TrimOptions = TrimOptions.Trim,
        });
        if (!csv.Read() || !csv.ReadHeader())
            throw new BadRequestException("The CSV is empty: the first line must name the columns", "El CSV está vacío: la primera línea debe nombrar las columnas", "file");
        var header = csv.HeaderRecord!.Select(h => StorableText.Clean(h).Trim().ToLowerInvariant()).ToArray();
        var index = new Dictionary<string, int>();
        foreach (var (es, en, required) in Columns)
        {
            var at = Array.FindIndex(header, h => h == es || h == en || h == es.Replace("adquisicion", "adquisición").Replace("area", "área"));
            if (at >= 0) index[es] = at;
            else if (required)
                throw new BadRequestException($"The CSV has no column '{es}' ({en}); required: inventario, tipo, area, edificio",
                    $"El CSV no tiene la columna '{es}'; obligatorias: inventario, tipo, area, edificio", "file");
        }
        var good = new List<Row>();
        var bad = new List<RowProblem>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var rows = 0;
        while (csv.Read())
        {
            rows++;
            var line = csv.Parser.Row;
            if (rows > MaxRows)
                throw new BadRequestException($"The CSV has more than {MaxRows} rows; split it", $"El CSV tiene más de {MaxRows} renglones; divídalo", "file");
            string? Field(string col) => index.TryGetValue(col, out var i) && csv.TryGetField<string>(i, out var v) && !string.IsNullOrWhiteSpace(v) ? StorableText.Clean(v).Trim() : null;
            RowProblem? problem = null;
            void Fail(string col, string en, string es) => problem ??= new RowProblem(line, col, en, es);

            var inventory = Field("inventario");
            if (inventory is null || inventory.Length > 40) Fail("inventario", "the inventory number is missing or longer than 40 characters", "falta el número de inventario o tiene más de 40 caracteres");
            else if (!seen.Add(inventory)) Fail("inventario", $"inventory number {inventory} is repeated in the file", $"el número de inventario {inventory} se repite en el archivo");
            var type = Field("tipo")?.ToLowerInvariant();
            if (type is null || !EquipmentType.All.Contains(type)) Fail("tipo", $"the type must be one of {string.Join(", ", EquipmentType.All)}", $"el tipo debe ser uno de {string.Join(", ", EquipmentType.All)}");
            var status = Field("estado")?.ToLowerInvariant() ?? "active";
            if (!EquipmentStatus.All.Contains(status)) Fail("estado", "the status must be active, in_repair or retired", "el estado debe ser active, in_repair o retired");
            DateOnly? acquired = null;
            if (Field("adquisicion") is { } a)
            {
                if (DateOnly.TryParseExact(a, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d.Year >= 1980 && d <= DateOnly.FromDateTime(DateTime.UtcNow)) acquired = d;
                else Fail("adquisicion", "the acquisition date must be YYYY-MM-DD, from 1980 and not in the future", "la fecha de adquisición debe ser AAAA-MM-DD, desde 1980 y no futura");
            }
            var area = Field("area");
            if (area is null || area.Length > 120) Fail("area", "the responsible area is missing or longer than 120 characters", "falta el área responsable o tiene más de 120 caracteres");
            var building = Field("edificio");
            if (building is null || !buildings.TryGetValue(building, out var buildingId))
            {
                Fail("edificio", $"no building has the code '{building}'", $"ningún edificio tiene la clave '{building}'");
                buildingId = 0;
            }
            string? Short(string col) { var v = Field(col); if (v is { Length: > 80 }) Fail(col, "longer than 80 characters", "más de 80 caracteres"); return v; }
            var (brand, model, serial) = (Short("marca"), Short("modelo"), Short("serie"));
            if (problem is not null) bad.Add(problem);
            else good.Add(new Row(line, inventory!, type!, brand, model, serial, acquired, area!, status, buildingId));
        }
        return (good, bad, rows);
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(Problems.Create(413, "An inventory CSV may have at most 5 MB", "Un CSV de inventario puede tener a lo más 5 MB", "file"));

    private static async Task<Results<Ok<ImportReport>, ProblemHttpResult>> Import(HttpRequest request, AppDbContext db, NpgsqlDataSource ds, CancellationToken ct)
    {
        if (request.ContentLength > MaxCsvBytes + 64 * 1024)
            return TooLarge();
        string text;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files.GetFile("file") is not { Length: > 0 and <= MaxCsvBytes } file)
                return Problems.BadRequest("Send the CSV (up to 5 MB) in a multipart field named 'file', or as the body with Content-Type text/csv",
                    "Envíe el CSV (hasta 5 MB) en un campo multipart llamado 'file', o como cuerpo con Content-Type text/csv", "file");
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            text = await reader.ReadToEndAsync(ct);
        }
        else if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[MaxCsvBytes + 1];
            var n = await reader.ReadBlockAsync(buffer, ct);
            if (n > MaxCsvBytes) return TooLarge();
            text = new string(buffer, 0, n);
        }
        else
            return Problems.BadRequest("Send the CSV in a multipart field named 'file', or as the body with Content-Type text/csv",
                "Envíe el CSV en un campo multipart llamado 'file', o como cuerpo con Content-Type text/csv", "file");

        var buildings = await db.MaintenanceBuildings.AsNoTracking().ToDictionaryAsync(b => b.Code, b => b.Id, StringComparer.OrdinalIgnoreCase, ct);
        var (good, bad, rows) = Read(text, buildings);
        int imported = 0, updated = 0;
        await using (var conn = await ds.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            foreach (var r in good)
            {
                await using var cmd = new NpgsqlCommand("""
                    INSERT INTO maintenance.equipment (inventory_number, type, brand, model, serial, acquired_on, responsible_area, status, building_id, updated_at)
                    VALUES (@inv, @type, @brand, @model, @serial, @acq, @area, @status, @building, now())
                    ON CONFLICT (inventory_number) DO UPDATE SET type = excluded.type, brand = excluded.brand, model = excluded.model, serial = excluded.serial,
                        acquired_on = excluded.acquired_on, responsible_area = excluded.responsible_area, status = excluded.status,
                        building_id = excluded.building_id, updated_at = excluded.updated_at
                    RETURNING (xmax = 0)
                    """, conn, tx);
                cmd.Parameters.AddWithValue("inv", r.Inventory);
                cmd.Parameters.AddWithValue("type", r.Type);
                cmd.Parameters.AddWithValue("brand", (object?)r.Brand ?? DBNull.Value);
                cmd.Parameters.AddWithValue("model", (object?)r.Model ?? DBNull.Value);
                cmd.Parameters.AddWithValue("serial", (object?)r.Serial ?? DBNull.Value);
                cmd.Parameters.AddWithValue("acq", (object?)r.Acquired ?? DBNull.Value);
                cmd.Parameters.AddWithValue("area", r.Area);
                cmd.Parameters.AddWithValue("status", r.Status);
                cmd.Parameters.AddWithValue("building", r.BuildingId);
                if ((bool)(await cmd.ExecuteScalarAsync(ct))!) imported++; else updated++;
            }
            await tx.CommitAsync(ct);
        }
        return TypedResults.Ok(new ImportReport(rows, imported, updated, bad));
    }
}
