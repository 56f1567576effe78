using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace OpenVeracruz.Platform.Shared;

/// <summary>A rule of the domain was broken (an illegal transition, a conflict): answered as 409.</summary>
/// <remarks>A location (longitude, latitude of the offending spot) goes into the problem's <c>location</c> extension.</remarks>
public sealed class DomainRuleException(string message, string messageEs, NetTopologySuite.Geometries.Coordinate? location = null) : Exception(message)
{
    public string MessageEs { get; } = messageEs;
    public double[]? Location { get; } = location is null ? null : [Math.Round(location.X, 7), Math.Round(location.Y, 7)];
}

/// <summary>A precondition on the version (If-Match) failed or is missing: 412, or 428 when missing.</summary>
public sealed class PreconditionException(string message, string messageEs, int status = 412) : Exception(message)
{
    public string MessageEs { get; } = messageEs;
    public int Status { get; } = status;
}

/// <summary>Bad input found while answering a request: answered as a 400 problem (or 404 with <see cref="Status"/>).</summary>
public sealed class BadRequestException(string message, string messageEs, string? parameter = null, int status = 400, string? ogcCode = null) : Exception(message)
{
    public string MessageEs { get; } = messageEs;
    public string? Parameter { get; } = parameter;
    public int Status { get; } = status;
    public string? OgcCode { get; } = ogcCode;
}

/// <summary>RFC 9457 problem details in English (title, detail) and Spanish (title_es, detail_es).</summary>
public static class Problems
{
    public static ProblemDetails Create(int status, string detail, string detailEs, string? parameter = null, string? code = null)
    {
        var (title, titleEs) = status switch
        {
            400 => ("Bad request", "Solicitud incorrecta"),
            401 => ("Unauthorized", "Sin sesión"),
            403 => ("Forbidden", "Prohibido"),
            404 => ("Not found", "No encontrado"),
            409 => ("Conflict", "Conflicto"),
            410 => ("Gone", "Dado de baja"),
            412 => ("Precondition failed", "La versión ha cambiado"),
            428 => ("Precondition required", "Falta la versión (If-Match)"),
            405 => ("Method not allowed", "Método no permitido"),
            413 => ("Request too large", "Solicitud demasiado grande"),
            _ => ("Error", "Error"),
        };
        var p = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
        };
        p.Extensions["title_es"] = titleEs;
        p.Extensions["detail_es"] = detailEs;
        if (parameter is not null) p.Extensions["parameter"] = parameter;
        if (code is not null) p.Extensions["code"] = code;
        return p;
    }

    /// <summary>A bare status code (no endpoint, no body) as a problem with a sentence in both languages.</summary>
    public static ProblemDetails ForStatus(int status) => status switch
    {
        401 => Create(401, "Sign in, or send an API token in the Authorization header", "Inicie sesión o envíe un token de API en el encabezado Authorization"),
        403 => Create(403, "Your account may not do this", "Su cuenta no puede hacer esto"),
        404 => Create(404, "Nothing is published at this address", "No hay nada publicado en esta dirección"),
        405 => Create(405, "This method is not allowed at this address", "Este método no se admite en esta dirección"),
        _ => Create(status, $"The request cannot be served (HTTP {status})", $"La solicitud no se puede atender (HTTP {status})"),
    };

    public static ProblemHttpResult BadRequest(string detail, string detailEs, string? parameter = null) =>
        TypedResults.Problem(Create(400, detail, detailEs, parameter));

    public static ProblemHttpResult NotFound(string detail, string detailEs) =>
        TypedResults.Problem(Create(404, detail, detailEs));
}

