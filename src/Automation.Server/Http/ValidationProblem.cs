using Automation.Core.Ingestion;

namespace Automation.Server.Http;

/// <summary>RFC 7807 answers for bad input, naming every field at fault.</summary>
internal static class ValidationProblem
{
    /// <summary>A 400 naming one field.</summary>
    public static IResult For(string field, string message) => For([new FieldError(field, message)]);

    public static IResult For(IReadOnlyList<FieldError> errors)
    {
        var first = errors[0];
        var more = errors.Count > 1 ? $" (and {errors.Count - 1} more)" : "";
        return Results.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid request",
            detail: $"{first}{more}",
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = errors.Select(e => new { field = e.Field, message = e.Message }).ToList(),
            });
    }
}
