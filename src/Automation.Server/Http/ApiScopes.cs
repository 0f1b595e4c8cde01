namespace Automation.Server.Http;

/// <summary>
/// What an API key may do. <c>ingest</c>: the Segment-compatible write routes only, safe to ship inside a browser or
/// mobile app as a write key. <c>read</c>: customers, journeys, messages, tiers. <c>admin</c>: what changes customers or
/// reveals the whole shop — suppressions, points, tags, journey previews, metrics, rejected messages. <c>metrics</c>: the
/// Prometheus scrape at <c>/metrics</c> only, for a key kept in the monitoring system's configuration.
/// </summary>
internal static class ApiScopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";
    public const string Metrics = "metrics";

    /// <summary>The claim an authenticated key carries once per scope it holds.</summary>
    public const string ClaimType = "scope";

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Admin, Metrics];
}

/// <summary>The <c>/v1</c> routes, one group per scope: a route is mapped on the group of the scope it needs.</summary>
internal sealed record ApiRoutes(RouteGroupBuilder Ingest, RouteGroupBuilder Read, RouteGroupBuilder Admin)
{
    public static ApiRoutes For(IEndpointRouteBuilder app) =>
        new(Group(app, ApiScopes.Ingest), Group(app, ApiScopes.Read), Group(app, ApiScopes.Admin));

    private static RouteGroupBuilder Group(IEndpointRouteBuilder app, string scope) => app.MapGroup("/v1").RequireAuthorization(scope);
}
