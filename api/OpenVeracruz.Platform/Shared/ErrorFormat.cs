using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// How a door writes an error it did not raise itself — malformed bytes refused before its endpoint runs, a database data
/// exception — in the shape its own standard gives errors (CKAN's envelope, OData's JSON error, OGC's code). A door registers
/// one for its path prefix (<c>services.AddSingleton(new ErrorFormat(...))</c>); every other path answers RFC 9457 problem details.
/// </summary>
/// <param name="Prefixes">The paths the door answers under, e.g. "/ogc".</param>
/// <param name="Write">Writes the problem (status, detail, detail_es, parameter, code) the door's way; the status is already set.</param>
public sealed record ErrorFormat(IReadOnlyList<string> Prefixes, Func<HttpContext, ProblemDetails, Task> Write)
{
    /// <summary>Writes the problem in the format of the door the request went to, or as problem details.</summary>
    public static Task WriteAsync(HttpContext http, ProblemDetails problem)
    {
        http.Response.StatusCode = problem.Status ?? 500;
        var door = http.RequestServices.GetServices<ErrorFormat>()
            .FirstOrDefault(f => f.Prefixes.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)));
        return door is null ? WriteProblemAsync(http, problem) : door.Write(http, problem);
    }

    /// <summary>RFC 9457 problem details (application/problem+json), whatever the request's Accept header says.</summary>
    public static Task WriteProblemAsync(HttpContext http, ProblemDetails problem) => TypedResults.Problem(problem).ExecuteAsync(http);

    /// <summary>The Spanish detail of a problem made by <see cref="Problems.Create"/>.</summary>
    public static string DetailEs(ProblemDetails problem) => problem.Extensions.TryGetValue("detail_es", out var es) ? es?.ToString() ?? "" : "";
}
