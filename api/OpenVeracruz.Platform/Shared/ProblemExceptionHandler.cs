using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace OpenVeracruz.Platform.Shared;

/// <summary>The one exception handler: every failure becomes an RFC 9457 problem, never a stack trace.</summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        ProblemDetails problem = exception switch
        {
            BadRequestException bad => Problems.Create(bad.Status, bad.Message, bad.MessageEs, bad.Parameter, bad.OgcCode),
            DomainRuleException rule => WithLocation(Problems.Create(409, rule.Message, rule.MessageEs), rule.Location),
            PreconditionException pre => Problems.Create(pre.Status, pre.Message, pre.MessageEs),
            BadHttpRequestException bhr => Problems.Create(bhr.StatusCode, bhr.Message, "La solicitud no es válida."),
            OperationCanceledException when http.RequestAborted.IsCancellationRequested => Problems.Create(499, "Client closed the request", "El cliente cerró la solicitud"),
            _ => Problems.Create(500, "An unexpected error occurred; it has been logged.", "Ocurrió un error inesperado; quedó registrado."),
        };
        if (problem.Status == 500) log.LogError(exception, "Unhandled error on {Path}", http.Request.Path);
        if (http.Response.HasStarted) return true;
        http.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails WithLocation(ProblemDetails p, double[]? location)
    {
        if (location is not null) p.Extensions["location"] = location;
        return p;
    }
}
