namespace Automation.Server.Http;

/// <summary>The 404 of an unknown customer, the same wherever a route names one.</summary>
internal static class NotFoundProblem
{
    public static IResult Customer(string id) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Customer not found",
        detail: $"No customer has the user id or anonymous id '{id}'.");
}
