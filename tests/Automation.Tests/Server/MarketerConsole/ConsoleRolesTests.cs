using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Automation.Core.Audit;
using Automation.Core.Broadcasts;
using Automation.Core.Storage;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>
/// Console roles through the real server on both databases: a viewer is refused (403) every handler that writes and is
/// not offered it, an editor cannot cancel a broadcast and an admin can (recorded in the audit log), a user demoted in
/// the configuration loses access on the next request, and sign-ins are audited.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed partial class ConsoleRolesTests(string provider)
{
    private const string Password = "correct-horse-battery";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", CultureInfo.InvariantCulture);

    private TestDatabase _db = null!;
    private AutomationFactory _factory = null!;
    private readonly List<HttpClient> _clients = [];

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider, migrate: false);
        var hash = ConsolePasswords.Hash(Password);
        var settings = new Dictionary<string, string>();
        foreach (var (name, role, i) in new[] { ("ann", "admin", 0), ("vic", "viewer", 1), ("eve", "editor", 2), ("pat", "publisher", 3), ("old", "", 4) })
        {
            settings[$"Console:Users:{i}:Name"] = name;
            settings[$"Console:Users:{i}:PasswordHash"] = hash;
            if (role != "") settings[$"Console:Users:{i}:Role"] = role;
        }
        _factory = new AutomationFactory(_db, new FakeTimeProvider(Now), settings: settings);
        var segment = Path.Combine(_factory.ContentRoot, "rules", "segments", "everyone.json");
        Directory.CreateDirectory(Path.GetDirectoryName(segment)!);
        await File.WriteAllTextAsync(segment, """{ "Expression": "stats.OrderCount >= 0" }""");
        var template = Path.Combine(_factory.ContentRoot, "templates", "news.email.liquid");
        Directory.CreateDirectory(Path.GetDirectoryName(template)!);
        await File.WriteAllTextAsync(template, "---\nsubject: News\n---\n<p>News</p>\n");
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var client in _clients) client.Dispose();
        await _factory.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<HttpClient> SignInAsync(string name)
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        _clients.Add(client);
        var login = await client.GetStringAsync("/console/login");
        (await client.PostAsync("/console/login", Form(login, ("name", name), ("password", Password)))).StatusCode.Should().Be(HttpStatusCode.Redirect);
        return client;
    }

    private async Task<long> ScheduledBroadcastAsync()
    {
        using var api = _factory.CreateAuthorizedClient();
        var created = await api.PostAsJsonAsync("/v1/broadcasts", new { name = "News", segment = "everyone", channel = "email", template = "news", sendAt = Now.AddDays(1) });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();
    }

    private async Task<string> StatusOfAsync(long id) =>
        (await _factory.Services.GetRequiredService<IBroadcastStore>().BroadcastAsync(id, CancellationToken.None))!.Status;

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action) => [.. (await _factory.Services.GetRequiredService<IAuditLog>()
        .ReadAsync(new AuditQuery(null, action, null, null, null, null, 100), CancellationToken.None)).Entries.Select(r => r.Entry)];

    [Test]
    public async Task A_viewer_is_not_offered_any_write_and_is_refused_each_one()
    {
        var id = await ScheduledBroadcastAsync();
        var vic = await SignInAsync("vic");

        var list = await vic.GetStringAsync("/console/broadcasts");
        list.Should().Contain("vic <span class=\"badge role\">viewer</span>").And.Contain("status-scheduled")
            .And.NotContain("/console/broadcasts/new").And.NotContain("handler=Cancel").And.NotContain("/console/preview")
            .And.NotContain("/console/simulate").And.NotContain("/console/audit").And.NotContain("/console/users");

        foreach (var page in new[] { "/console/broadcasts/new", "/console/preview", "/console/simulate", "/console/audit", "/console/users" })
        {
            var refused = await vic.GetAsync(page);
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, page);
            (await refused.Content.ReadAsStringAsync()).Should().Contain("You are signed in as vic (viewer).");
        }
        foreach (var post in new[] { $"/console/broadcasts?handler=Cancel&id={id}", "/console/broadcasts/new?handler=Create", "/console/broadcasts/new?handler=Preview",
            "/console/preview", "/console/simulate" })
        {
            var refused = await vic.PostAsync(post, Form(list, ("Form.Name", "Sneaky"), ("Form.Segment", "everyone"), ("Form.Channel", "email"), ("Form.Template", "news")));
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden, post);
        }
        (await StatusOfAsync(id)).Should().Be(BroadcastStatus.Scheduled);
        (await _factory.Services.GetRequiredService<IBroadcastStore>().BroadcastsAsync(CancellationToken.None)).Should().ContainSingle("the viewer created none");
        (await vic.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK, "the read pages stay open to a viewer");
    }

    [Test]
    public async Task An_editor_cannot_cancel_a_broadcast_and_an_admin_can_with_an_audit_entry_naming_them()
    {
        var id = await ScheduledBroadcastAsync();
        var eve = await SignInAsync("eve");
        var page = await eve.GetStringAsync("/console/broadcasts");
        page.Should().NotContain("handler=Cancel");
        (await eve.PostAsync($"/console/broadcasts?handler=Cancel&id={id}", Form(page))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await StatusOfAsync(id)).Should().Be(BroadcastStatus.Scheduled);
        (await AuditAsync(AuditActions.BroadcastCancel)).Should().BeEmpty();

        var ann = await SignInAsync("ann");
        page = await ann.GetStringAsync("/console/broadcasts");
        page.Should().Contain("handler=Cancel").And.Contain("/console/broadcasts/new").And.Contain("/console/audit").And.Contain("/console/users");
        (await ann.PostAsync($"/console/broadcasts?handler=Cancel&id={id}", Form(page))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await StatusOfAsync(id)).Should().Be(BroadcastStatus.Cancelled);
        var cancel = (await AuditAsync(AuditActions.BroadcastCancel)).Should().ContainSingle().Subject;
        (cancel.Actor, cancel.Target).Should().Be((AuditActor.Console("ann"), $"broadcast:{id}"));
    }

    [Test]
    public async Task A_publisher_reads_the_audit_page_and_an_editor_cannot()
    {
        var id = await ScheduledBroadcastAsync();
        (await (await SignInAsync("eve")).GetAsync("/console/audit")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var pat = await SignInAsync("pat");
        var audit = await pat.GetStringAsync($"/console/audit?target=broadcast:{id}");
        audit.Should().Contain("<code>broadcast.create</code>").And.Contain("Api:Keys:0").And.Contain("segment: <span>everyone</span>")
            .And.NotContain("<code>user.sign_in</code>", "the filter keeps only the broadcast's entries");
        (await pat.GetAsync("/console/users")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await pat.GetAsync("/console/audit?since=soon")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_user_demoted_or_removed_in_the_configuration_loses_access_on_the_next_request()
    {
        var ann = await SignInAsync("ann");
        (await ann.GetAsync("/console/broadcasts/new")).StatusCode.Should().Be(HttpStatusCode.OK);

        var configuration = (IConfigurationRoot)_factory.Services.GetRequiredService<IConfiguration>();
        configuration["Console:Users:0:Role"] = "viewer";
        configuration.Reload();
        (await ann.GetAsync("/console/broadcasts/new")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ann.GetStringAsync("/console/journeys")).Should().Contain("ann <span class=\"badge role\">viewer</span>");

        configuration["Console:Users:0:Name"] = "ann-left";
        configuration.Reload();
        var gone = await ann.GetAsync("/console/journeys");
        gone.StatusCode.Should().Be(HttpStatusCode.Redirect);
        gone.Headers.Location!.ToString().Should().Contain("/console/login");
    }

    [Test]
    public async Task Sign_ins_and_refused_sign_ins_are_audited_and_a_user_without_a_role_is_an_admin()
    {
        var old = await SignInAsync("old");
        (await old.GetStringAsync("/console/journeys")).Should().Contain("old <span class=\"badge role\">admin</span>");
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        _clients.Add(client);
        var login = await client.GetStringAsync("/console/login");
        (await client.PostAsync("/console/login", Form(login, ("name", "vic"), ("password", "not-the-password")))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var signIn = (await AuditAsync(AuditActions.UserSignIn)).Should().ContainSingle().Subject;
        (signIn.Actor, signIn.Target, JsonNode.Parse(signIn.After!)!["role"]!.GetValue<string>()).Should().Be((AuditActor.Console("old"), "user:old", "admin"));
        var refused = (await AuditAsync(AuditActions.UserSignInRefused)).Should().ContainSingle().Subject;
        (refused.Target, JsonNode.Parse(refused.After!)!["reason"]!.GetValue<string>()).Should().Be(("user:vic", "wrong name or password"));
        (await AuditAsync(AuditActions.UserRoleChanged)).Select(e => e.Target).Should().Equal(
            ["user:vic", "user:pat", "user:old", "user:eve", "user:ann"], "the first start records every user's role (newest first)");
    }

    [Test]
    public void Every_console_handler_that_writes_names_the_least_role_it_needs()
    {
        var pages = typeof(ConsoleRoles).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(PageModel)) && !t.IsAbstract);
        var handlers = pages.SelectMany(p => p.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name.StartsWith("OnPost", StringComparison.Ordinal))
            .Select(m => (Handler: $"{p.Name}.{m.Name}", Needed: ConsoleRoleAttribute.Needed(p, m)))).ToList();

        handlers.Where(h => h.Needed == ConsoleRole.Viewer).Select(h => h.Handler).Should().BeEquivalentTo(
            ["LoginModel.OnPostAsync", "LogoutModel.OnPostAsync"], "every other POST changes or computes something a viewer may not");
        handlers.Should().Contain(("BroadcastsModel.OnPostCancelAsync", ConsoleRole.Admin)).And.Contain(("BroadcastNewModel.OnPostCreateAsync", ConsoleRole.Admin))
            .And.Contain(("PreviewModel.OnPostAsync", ConsoleRole.Editor)).And.Contain(("SimulateModel.OnPostAsync", ConsoleRole.Editor));
    }

    /// <summary>A form post with the antiforgery token of <paramref name="page"/>.</summary>
    private static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields) =>
        new([.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)), KeyValuePair.Create("__RequestVerificationToken", Token().Match(page).Groups[1].Value)]);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
