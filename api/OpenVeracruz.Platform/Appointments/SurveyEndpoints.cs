using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenVeracruz.Platform.Shared;

namespace OpenVeracruz.Platform.Appointments;

public sealed record SurveyForm(string Office, string Service, DateOnly Day, bool Answered, int MaxCommentLength);
public sealed record SurveyAnswer(int? Score, string? Comment);
public sealed record SurveyThanks(string Message, string MessageEs);

/// <summary>
/// The satisfaction survey after a visit: the key given at finish (on the ticket or the screen) opens a form; one answer
/// (1–5 and an optional comment) per visit, enforced by the primary key of appointments.surveys. Comments reach no
/// public output and no report: only the score's count and mean do.
/// </summary>
public static class SurveyEndpoints
{
    public const int MaxComment = 500;

    public static IEndpointRouteBuilder MapSurveyEndpoints(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/surveys").WithTags("Citas (Cero Filas) / Appointments");
        g.MapGet("/{key}", Form).RequireRateLimiting(BookingEndpoints.CitizenLimiter).WithName("SurveyForm")
            .WithSummary("La encuesta de una visita / The survey of a visit");
        g.MapPost("/{key}", Answer).RequireRateLimiting(BookingEndpoints.CitizenLimiter).WithName("SurveyAnswer")
            .WithSummary("Responde la encuesta: 1 a 5 y un comentario opcional, una vez / Answer once: 1 to 5 and an optional comment");
        return app;
    }

    private static void CheckKey(string key)
    {
        if (key.Length is < 16 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw Fail.NotFound("No survey has this key", "No hay una encuesta con esta clave");
    }

    private static async Task<Ok<SurveyForm>> Form(string key, NpgsqlDataSource ds, CancellationToken ct)
    {
        CheckKey(key);
        await using var cmd = ds.CreateCommand("""
            SELECT o.name, s.name, t.day, EXISTS (SELECT 1 FROM appointments.surveys v WHERE v.turn_id = t.id)
            FROM appointments.turns t JOIN appointments.offices o ON o.id = t.office_id JOIN appointments.services s ON s.id = t.service_id
            WHERE t.survey_key = @k AND t.state = 'done'
            """);
        cmd.Parameters.AddWithValue("k", key);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) throw Fail.NotFound("No survey has this key", "No hay una encuesta con esta clave");
        return TypedResults.Ok(new SurveyForm(r.GetString(0), r.GetString(1), r.GetFieldValue<DateOnly>(2), r.GetBoolean(3), MaxComment));
    }

    private static async Task<Created<SurveyThanks>> Answer(string key, SurveyAnswer body, NpgsqlDataSource ds, CancellationToken ct)
    {
        CheckKey(key);
        if (body.Score is not (>= 1 and <= 5)) throw Fail.Bad("'score' is 1 to 5", "'score' va de 1 a 5", "score");
        var comment = body.Comment is null ? null : StorableText.Clean(body.Comment).Trim();
        if (comment is { Length: > MaxComment })
            throw Fail.Bad($"The comment is at most {MaxComment} characters", $"El comentario tiene como máximo {MaxComment} caracteres", "comment");
        await using var cmd = ds.CreateCommand("""
            WITH visit AS (SELECT id FROM appointments.turns WHERE survey_key = @k AND state = 'done'),
                 answer AS (INSERT INTO appointments.surveys (turn_id, score, comment, created) SELECT id, @s, @c, now() FROM visit ON CONFLICT DO NOTHING RETURNING turn_id)
            SELECT (SELECT count(*) FROM visit), (SELECT count(*) FROM answer)
            """);
        cmd.Parameters.AddWithValue("k", key);
        cmd.Parameters.AddWithValue("s", body.Score.Value);
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlTypes.NpgsqlDbType.Text) { Value = string.IsNullOrEmpty(comment) ? DBNull.Value : comment });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (r.GetInt64(0) == 0) throw Fail.NotFound("No survey has this key", "No hay una encuesta con esta clave");
        if (r.GetInt64(1) == 0) throw Fail.Conflict("This visit's survey was already answered", "La encuesta de esta visita ya fue respondida");
        return TypedResults.Created((string?)null, new SurveyThanks("Thank you for your answer", "Gracias por su respuesta"));
    }
}
