using System.Globalization;
using System.Net;
using System.Text;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server;

/// <summary>Every /v1 route against a key of every scope: a write key shipped in an app can only write.</summary>
[NonParallelizable]
public sealed class ApiScopesTests
{
    private const string IngestKey = "ingest-key-0123456789";
    private const string ReadKey = "read-key-0123456789ab";
    private const string AdminKey = "admin-key-0123456789a";

    /// <summary>The documented scope of every route (docs/api.md); a new route must be added here to pass.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["POST /v1/identify"] = "ingest", ["POST /v1/track"] = "ingest", ["POST /v1/page"] = "ingest", ["POST /v1/screen"] = "ingest",
        ["POST /v1/group"] = "ingest", ["POST /v1/alias"] = "ingest", ["POST /v1/batch"] = "ingest",
        ["GET /v1/customers/{id}"] = "read", ["GET /v1/journeys"] = "read", ["GET /v1/messages"] = "read",
        ["GET /v1/customers/{id}/points"] = "read", ["POST /v1/customers/{id}/points/quote"] = "read", ["GET /v1/tiers"] = "read", ["GET /v1/customers/{id}/tier"] = "read",
        ["GET /v1/rejected"] = "admin", ["POST /v1/journeys/{name}/preview"] = "admin", ["POST /v1/suppressions"] = "admin",
        ["DELETE /v1/suppressions/{channel}/{address}"] = "admin", ["GET /v1/metrics/repurchase"] = "admin",
        ["GET /v1/metrics/attribution"] = "admin", ["GET /v1/metrics/loyalty"] = "admin", ["POST /v1/customers/{id}/points/redeem"] = "admin",
        ["POST /v1/customers/{id}/points/commit"] = "admin", ["POST /v1/customers/{id}/points/commits/{key}/cancel"] = "admin",
        ["POST /v1/customers/{id}/tags"] = "admin", ["DELETE /v1/customers/{id}/tags/{tag}"] = "admin",
        ["GET /v1/draws"] = "read", ["POST /v1/customers/{id}/draws/{draw}"] = "admin", ["GET /v1/draws/{draw}/report"] = "admin",
        ["GET /v1/draws/{draw}/entries"] = "admin",
        ["GET /v1/presales"] = "read", ["GET /v1/customers/{id}/presales/{sale}/access"] = "read",
        ["GET /v1/segments"] = "read", ["GET /v1/segments/{name}"] = "read", ["GET /v1/segments/{name}/customers"] = "admin",
        ["GET /v1/segments/{name}/customers.csv"] = "admin",
        ["POST /v1/coupons/{campaign}/codes"] = "admin", ["GET /v1/metrics/coupons"] = "admin", ["GET /v1/metrics/engagement"] = "admin",
        ["GET /v1/teams/{teamId}"] = "read", ["GET /v1/customers/{id}/referral"] = "read",
        ["POST /v1/teams/{campaign}"] = "admin", ["POST /v1/teams/{teamId}/members"] = "admin",
        ["PUT /v1/products/{id}"] = "admin", ["POST /v1/products"] = "admin", ["GET /v1/products/{id}"] = "read", ["GET /v1/products"] = "read",
        ["GET /v1/customers/{id}/replenishments"] = "read",
        ["GET /v1/rewards"] = "read", ["GET /v1/customers/{id}/rewards"] = "read", ["POST /v1/customers/{id}/rewards/{item}/redeem"] = "admin",
        ["GET /v1/rewards/redemptions"] = "admin", ["POST /v1/rewards/redemptions/{redemptionId}/fulfil"] = "admin",
        ["POST /v1/rewards/redemptions/{redemptionId}/cancel"] = "admin",
        ["GET /v1/broadcasts"] = "read", ["GET /v1/broadcasts/{id}"] = "read", ["POST /v1/broadcasts"] = "admin",
        ["POST /v1/broadcasts/preview"] = "admin", ["POST /v1/broadcasts/{id}/cancel"] = "admin", ["POST /v1/broadcasts/{id}/start"] = "admin",
        ["GET /v1/audit"] = "admin",
        ["GET /v1/content/versions"] = "read", ["GET /v1/content/versions/{id}"] = "read", ["GET /v1/content/files/{*path}"] = "read",
        ["GET /v1/content/history/{*path}"] = "read", ["GET /v1/content/diff/{*path}"] = "read",
        ["POST /v1/content/publish"] = "admin", ["POST /v1/content/rollback"] = "admin",
        ["GET /v1/journeys/{name}/running"] = "read", ["POST /v1/journeys/{name}/apply-to-running"] = "admin",
    };

    [Test]
    public async Task Every_route_answers_403_to_a_key_without_its_scope_and_not_to_one_with_it()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)), settings: new Dictionary<string, string>
        {
            ["Api:Keys:1:Key"] = IngestKey, ["Api:Keys:1:Scopes:0"] = "ingest",
            ["Api:Keys:2:Key"] = ReadKey, ["Api:Keys:2:Scopes:0"] = "read",
            ["Api:Keys:3:Key"] = AdminKey, ["Api:Keys:3:Scopes:0"] = "admin",
        });
        using var client = factory.CreateClient();

        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToList();
        routes.Should().BeEquivalentTo(Expected.Keys, "every route has a documented scope");

        foreach (var (route, scope) in Expected)
        {
            var (method, pattern) = (route.Split(' ')[0], route.Split(' ')[1]);
            var path = pattern.Replace("{id}", "nobody").Replace("{name}", "cart-recovery").Replace("{channel}", "email")
                .Replace("{address}", "a@example.com").Replace("{tag}", "vip").Replace("{draw}", "weekly-points-draw").Replace("{campaign}", "spring-sale").Replace("{key}", "checkout-1").Replace("{teamId}", "1").Replace("{sale}", "new-collection")
                .Replace("{item}", "coupon-10").Replace("{redemptionId}", "1");
            foreach (var (key, held) in new[] { (IngestKey, "ingest"), (ReadKey, "read"), (AdminKey, "admin"), (AutomationFactory.ApiKey, "all") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                request.Headers.Authorization = new("Bearer", key);
                if (method != "GET" && method != "DELETE") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                var status = (await client.SendAsync(request)).StatusCode;
                if (held == scope || held == "all") status.Should().NotBe(HttpStatusCode.Forbidden, $"{route} with a {held} key").And.NotBe(HttpStatusCode.Unauthorized);
                else status.Should().Be(HttpStatusCode.Forbidden, $"{route} with a {held} key");
            }
        }
    }

    [Test]
    public async Task The_OpenAPI_document_lists_every_route_with_the_scope_it_needs()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite, migrate: false);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture)));
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/openapi/v1.json");
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the document is public: it describes routes, never data");
        var document = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        document["components"]!["securitySchemes"]!["apiKey"]!["scheme"]!.GetValue<string>().Should().Be("bearer");

        var listed = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}")).ToList();
        // OpenAPI names a catch-all parameter as any other: {*path} is listed as {path}.
        static string Listed(string route) => route.Replace("{*", "{", StringComparison.Ordinal);
        listed.Should().BeEquivalentTo(Expected.Keys.Select(Listed));
        foreach (var (route, scope) in Expected)
        {
            var (method, pattern) = (route.Split(' ')[0].ToLowerInvariant(), Listed(route.Split(' ')[1]));
            var operation = document["paths"]![pattern]![method]!;
            operation["security"]!.AsArray().Should().ContainSingle().Which!["apiKey"]!.AsArray().Select(s => s!.GetValue<string>())
                .Should().Equal([scope], route);
            operation["description"]!.GetValue<string>().Should().StartWith($"Needs a key with the `{scope}` scope.");
        }
    }

    [TestCase("Api:Keys:0:Scopes:0", "write", "error: Api:Keys:0:Scopes: 'write' is not a scope; use ingest, read, admin, metrics.")]
    public async Task An_unknown_scope_stops_the_server_naming_it(string setting, string value, string expected)
    {
        var root = ServerProcess.NewContentRoot();
        try
        {
            await using var server = ServerProcess.Start(root.FullName, $"--Urls=http://127.0.0.1:{ServerProcess.FreePort()}",
                "--Api:Keys:0:Key=a-key-of-our-own-0123", $"--{setting}={value}");
            var (exitCode, _, stderr) = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
            exitCode.Should().Be(2);
            stderr.Trim().Should().Be(expected);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
