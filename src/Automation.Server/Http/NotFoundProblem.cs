namespace Automation.Server.Http;

/// <summary>The 404s: an unknown customer, the same wherever a route names one, and a route that is off.</summary>
internal static class NotFoundProblem
{
    /// <summary>A route that exists only when its feature is configured.</summary>
    public static IResult Route(HttpRequest request) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
        detail: $"{request.Path} is not served: its feature is not configured.");

    public static IResult Customer(string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Customer not found",
        detail: $"No customer has the user id or anonymous id '{id}'.");
}
