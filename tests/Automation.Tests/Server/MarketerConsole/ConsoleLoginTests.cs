using System.Net;
using System.Text.RegularExpressions;
using Automation.Server.MarketerConsole;
using Microsoft.AspNetCore.Builder;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>The console's sign-in: configured users only, absolute session expiry, slowed and limited failures, antiforgery.</summary>
[NonParallelizable]
public sealed partial class ConsoleLoginTests
{
    private const string Password = "correct-horse-battery";
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    private TestDatabase _db = null!;
    private FakeTimeProvider _clock = null!;
    private AutomationFactory _factory = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        _clock = new FakeTimeProvider(Now);
        _factory = new AutomationFactory(_db, _clock, settings: new Dictionary<string, string>
        {
            ["Console:Users:0:Name"] = "ann",
            ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
            ["Console:SessionMinutes"] = "60",
        }).WithShippedJourneys();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private HttpClient Client() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static async Task<HttpResponseMessage> LogInAsync(HttpClient client, string name, string password, bool withToken = true)
    {
        var form = new Dictionary<string, string> { ["name"] = name, ["password"] = password };
        if (withToken)
        {
            var page = await client.GetStringAsync("/console/login");
            form["__RequestVerificationToken"] = Token().Match(page).Groups[1].Value;
        }
        return await client.PostAsync("/console/login", new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    /// <summary>Every request arrives from 127.0.0.1, as through a reverse proxy on the same machine.</summary>
    private sealed class FromLocalProxy : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> Configure(Action<Microsoft.AspNetCore.Builder.IApplicationBuilder> next) => app =>
        {
            app.Use((context, then) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Loopback;
                return then();
            });
            next(app);
        };
    }

    [Test]
    public async Task Behind_a_proxy_failures_count_per_client_and_the_session_cookie_is_secure_when_the_client_used_https()
    {
        await using var proxied = _factory.WithWebHostBuilder(b => b.ConfigureServices(s =>
            Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter>(s, new FromLocalProxy())));
        HttpClient From(string client)
        {
            var http = proxied.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            http.DefaultRequestHeaders.Add("X-Forwarded-For", client);
            http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
            return http;
        }

        // An attacker guesses five names from one address: that address is locked, not everyone behind the proxy.
        using var attacker = From("203.0.113.9");
        for (var i = 0; i < LoginThrottle.MaxFailures; i++) (await LogInAsync(attacker, $"guess-{i}", "wrong")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await LogInAsync(attacker, "ann", Password)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests);

        using var marketer = From("198.51.100.7");
        var signedIn = await LogInAsync(marketer, "ann", Password);
        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect);
        signedIn.Headers.GetValues("Set-Cookie").Should().Contain(c => c.StartsWith("automation-console=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Test]
    public async Task A_page_without_a_session_redirects_to_the_login_even_with_an_api_key()
    {
        using var client = Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AutomationFactory.ApiKey);
        var response = await client.GetAsync("/console/customers");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Contain("/console/login?ReturnUrl=%2Fconsole%2Fcustomers");
    }

    [Test]
    public async Task The_right_password_signs_in_and_the_session_ends_on_time_however_busy()
    {
        using var client = Client();
        var login = await LogInAsync(client, "ANN", Password);
        login.StatusCode.Should().Be(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().Should().Be("/console/journeys");
        (await client.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK);

        _clock.Advance(TimeSpan.FromMinutes(40));
        (await client.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromMinutes(21));
        var expired = await client.GetAsync("/console/journeys");
        expired.StatusCode.Should().Be(HttpStatusCode.Redirect);
        expired.Headers.Location!.ToString().Should().Contain("/console/login");
    }

    [Test]
    public async Task A_wrong_password_or_name_fails_and_repeated_failures_are_refused_for_a_while()
    {
        using var client = Client();
        (await LogInAsync(client, "ann", "wrong-password")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await LogInAsync(client, "bob", Password)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        for (var i = 0; i < LoginThrottle.MaxFailures - 1; i++) await LogInAsync(client, "ann", "wrong-password");

        var refused = await LogInAsync(client, "ann", Password);
        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("Too many failed attempts");

        _clock.Advance(LoginThrottle.Window);
        (await LogInAsync(client, "ann", Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [Test]
    public async Task A_login_without_the_antiforgery_token_is_refused()
    {
        using var client = Client();
        (await LogInAsync(client, "ann", Password, withToken: false)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Logging_out_ends_the_session()
    {
        using var client = Client();
        await LogInAsync(client, "ann", Password);
        var page = await client.GetStringAsync("/console/journeys");
        var logout = await client.PostAsync("/console/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token().Match(page).Groups[1].Value,
        }));
        logout.StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await client.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }
}
