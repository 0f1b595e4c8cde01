using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Automation.Console.Tests;

/// <summary>
/// Roles and the audit log in Chromium: a viewer is offered no broadcast form or cancel and a POST made with their
/// session anyway is refused; an admin sees a suppression added through the API on the Audit page.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ConsoleRolesBrowserTests : ConsoleBrowserFixture
{
    protected override Task<ConsoleServer> StartServerAsync() => ConsoleServer.StartAsync();

    [Test]
    public async Task A_viewer_is_not_offered_the_broadcast_form_and_a_direct_post_is_refused()
    {
        var page = await LoggedInPageAsync(user: ConsoleServer.ViewerName);
        (await page.TextContentAsync("header .user")).Should().Contain(ConsoleServer.ViewerName).And.Contain("viewer");
        await page.ClickAsync("nav >> text=Broadcasts");
        await page.WaitForURLAsync($"{Server.Url}/console/broadcasts");
        (await page.Locator("a[href='/console/broadcasts/new']").CountAsync()).Should().Be(0);
        (await page.Locator("nav a[href='/console/audit']").CountAsync()).Should().Be(0);

        var response = await page.GotoAsync($"{Server.Url}/console/broadcasts/new");
        response!.Status.Should().Be(403);
        (await page.TextContentAsync("main")).Should().Contain("This needs the admin role or higher");

        // The form's POST, sent with the viewer's own session and antiforgery token: refused, and nothing is created.
        await page.GotoAsync($"{Server.Url}/console/broadcasts");
        var token = Token().Match(await page.ContentAsync()).Groups[1].Value;
        var cookies = string.Join("; ", (await page.Context.CookiesAsync()).Select(c => $"{c.Name}={c.Value}"));
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(Server.Url) };
        using var post = new HttpRequestMessage(HttpMethod.Post, "/console/broadcasts/new?handler=Create")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Form.Name"] = "Sneaky", ["Form.Segment"] = "vip", ["Form.Channel"] = "email", ["Form.Template"] = "broadcasts/new-arrivals",
                ["__RequestVerificationToken"] = token,
            }),
        };
        post.Headers.Add("Cookie", cookies);
        (await http.SendAsync(post)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var api = new HttpClient { BaseAddress = new Uri(Server.Url) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", ConsoleServer.ApiKey);
        (await api.GetStringAsync("/v1/broadcasts")).Should().NotContain("Sneaky");
        await ScreenshotAsync(page, "roles-viewer-broadcasts");
    }

    [Test]
    public async Task An_admin_sees_a_suppression_added_through_the_api_on_the_audit_page()
    {
        using var api = new HttpClient { BaseAddress = new Uri(Server.Url) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", ConsoleServer.ApiKey);
        (await api.PostAsJsonAsync("/v1/suppressions", new { channel = "email", address = ConsoleServer.KnownEmail, reason = "asked by phone" })).EnsureSuccessStatusCode();

        var page = await LoggedInPageAsync();
        await page.ClickAsync("nav >> text=Audit");
        await page.WaitForURLAsync($"{Server.Url}/console/audit");
        await page.FillAsync("input[name=action]", "suppression.add");
        await page.ClickAsync("form[role=search] button[type=submit]");
        await page.WaitForURLAsync(new Regex("action=suppression.add"));
        var row = page.Locator("tr.audit-entry").First;
        (await row.TextContentAsync()).Should().Contain("Api:Keys:0").And.Contain("suppression.add").And.Contain($"email:{ConsoleServer.KnownEmail}");
        (await row.Locator("td.after").TextContentAsync()).Should().Contain("reason: asked by phone");
        (await row.Locator("td.before").TextContentAsync()).Should().BeNullOrWhiteSpace("nothing was suppressed before");
        await ScreenshotAsync(page, "audit");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
