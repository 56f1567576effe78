namespace OpenVeracruz.Tests.Appointments;

/// <summary>Cero Filas' public reads against hostile input: refusals are bilingual problem details, never a 5xx.</summary>
[Collection(nameof(HostileInput))]
public sealed class AppointmentHostileInputTests(HostileInput f) : HostileInputTests(f,
    "/api/appointments/offices?procedure={predial}&lon={-96.14}&lat={19.19}",
    "/api/appointments/offices?procedure={predial}&clave={001-0001-001}",
    "/api/appointments/services/{1}/days?from={2026-12-01}&days={31}",
    "/api/appointments/services/{1}/slots?date={2026-12-01}&extras={2}",
    "/api/appointments/{ABCDEFGH}?token={x}",
    "/api/screens/{catastro}",
    "/api/appointments/indicator?year={2025}",
    "/api/surveys/{abcdefghijklmnopqrstuvwxyz012345}",

    // the pages whose address names an office: the same file for any name, a 404 problem for what is not one
    "/turnos/{catastro}",
    "/kiosko/citas/{catastro}");
