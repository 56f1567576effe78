using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpenVeracruz.Platform.Shared;

/// <summary>
/// The one exception handler: every failure becomes an error in the format of the door it reached (see <see cref="ErrorFormat"/>),
/// never a stack trace. Input the database or the runtime finds unusable — a PostgreSQL data exception (SQLSTATE class 22:
/// division by zero, NUL in text, a number out of range, a bad regular expression) or an arithmetic overflow — is the
/// client's: 400, wherever it was raised.
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> log) : IExceptionHandler
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
            _ when Find<PostgresException>(exception) is { SqlState: ['2', '2', ..] } data =>
                Problems.Create(400, $"A value in the request cannot be used: {data.MessageText}", $"Un valor de la solicitud no se puede usar: {data.MessageText}"),
            _ when Find<OverflowException>(exception) is not null =>
                Problems.Create(400, "A number in the request is too large", "Un número de la solicitud es demasiado grande"),
            _ => Problems.Create(500, "An unexpected error occurred; it has been logged.", "Ocurrió un error inesperado; quedó registrado."),
        };
        if (problem.Status == 500) log.LogError(exception, "Unhandled error on {Path}", http.Request.Path);
        else if (problem.Status == 400 && exception is not BadRequestException)
            log.LogInformation("Bad input on {Path}: {Message}", http.Request.Path, exception.Message);
        if (http.Response.HasStarted) return true;
        await ErrorFormat.WriteAsync(http, problem);
        return true;
    }

    /// <summary>The exception or the first of its inner exceptions of that type (EF Core and OData wrap what the database or parser threw).</summary>
    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    private static ProblemDetails WithLocation(ProblemDetails p, double[]? location)
    {
        if (location is not null) p.Extensions["location"] = location;
        return p;
    }
}
