using Automation.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace Automation.Server.Http;

/// <summary>
/// Answers 503 with <c>Retry-After</c> while the database is unreachable or busy, so clients keep the events and
/// send them again; anything acknowledged with 2xx was committed.
/// </summary>
internal sealed partial class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!TransientFailures.IsTransient(exception)) return false;

        LogUnavailable(logger, exception, context.Request.Method, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable",
            detail: $"The database is unavailable; nothing was stored. Retry after {RetryAfterSeconds} seconds.").ExecuteAsync(context);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable; answered 503 to {Method} {Path}")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method, PathString path);
}
