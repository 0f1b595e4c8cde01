using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Automation.Server.Http;

/// <summary>
/// <c>GET /openapi/v1.json</c>: the HTTP API as OpenAPI 3.1, generated from the mapped routes. Each <c>/v1</c>
/// operation carries the scope its key needs, as a bearer security requirement and in its description, so the scope
/// table of docs/api.md and the document cannot drift apart.
/// </summary>
internal static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";
    private const string SchemeName = "apiKey";

    public static void AddAutomationOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.ShouldInclude = description => description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Automation",
                Version = "v1",
                Description = "Segment-compatible ingestion, customers, journeys, messages, tags, points, tiers and metrics. Send an API key as `Authorization: Bearer <key>`; each operation names the scope its key needs (docs/api.md).",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from Api:Keys, with the scopes ingest, read and admin (a plain key has all three).",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var scopes = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
                .Select(a => a.Policy).OfType<string>().Where(ApiScopes.All.Contains).Distinct().ToList();
            if (scopes.Count == 0) return Task.CompletedTask;
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = scopes }];
            operation.Description = $"Needs a key with the `{string.Join("`, `", scopes)}` scope.{(operation.Description is { Length: > 0 } d ? " " + d : "")}";
            return Task.CompletedTask;
        });
    });
}
