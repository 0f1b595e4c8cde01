using System.Net;
using System.Text.RegularExpressions;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>
/// The console on several nodes of one database, without sticky sessions: cookies and antiforgery tokens one node
/// issued are read by the others and after a restart, and failed sign-ins add up across nodes.
/// </summary>
[NonParallelizable]
public sealed partial class ConsoleNodesTests
{
    private const string Password = "correct-horse-battery";
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> Users = new()
    {
        ["Console:Users:0:Name"] = "ann",
        ["Console:Users:0:PasswordHash"] = ConsolePasswords.Hash(Password),
        ["Console:SessionMinutes"] = "60",
    };

    private static AutomationFactory Node(TestDatabase db, FakeTimeProvider clock) => new(db, clock, settings: Users);

    /// <summary>A client of <paramref name="node"/> keeping its cookies in <paramref name="cookies"/>, which clients of other nodes may share, as one browser's.</summary>
    private static HttpClient Browser(AutomationFactory node, CookieContainer cookies) =>
        node.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    /// <summary>Signs in on a node, keeping the session cookie in <paramref name="cookies"/>, and stops the node.</summary>
    private static async Task SignInOnANodeThatStopsAsync(TestDatabase db, FakeTimeProvider clock, CookieContainer cookies)
    {
        await using var node = Node(db, clock);
        using var browser = Browser(node, cookies);
        (await LogInAsync(browser, await TokenAsync(browser, "/console/login"), Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    private static async Task<string> TokenAsync(HttpClient client, string page) => Token().Match(await client.GetStringAsync(page)).Groups[1].Value;

    private static Task<HttpResponseMessage> LogInAsync(HttpClient client, string token, string password) =>
        client.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = "ann", ["password"] = password, ["__RequestVerificationToken"] = token,
        }));

    private static async Task<T> ScalarAsync<T>(TestDatabase db, string sql)
    {
        await using var connection = await db.Storage.OpenConnectionAsync(default);
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    [TestCase(StorageOptions.Sqlite)]
    [TestCase(StorageOptions.Postgres)]
    public async Task A_cookie_and_an_antiforgery_token_one_node_issued_are_accepted_by_the_other(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Now);
        await using var one = Node(db, clock);
        await using var two = Node(db, clock);
        var cookies = new CookieContainer();
        using var toOne = Browser(one, cookies);
        using var toTwo = Browser(two, cookies);

        // The login form from node two, posted to node one.
        (await LogInAsync(toOne, await TokenAsync(toTwo, "/console/login"), Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await toTwo.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK, "node one's session cookie is read by node two");

        var logout = await toTwo.PostAsync("/console/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenAsync(toOne, "/console/journeys"),
        }));
        logout.StatusCode.Should().Be(HttpStatusCode.Redirect, "node one's antiforgery token is accepted by node two");
        (await toOne.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.Redirect);
    }

    [TestCase(StorageOptions.Sqlite)]
    [TestCase(StorageOptions.Postgres)]
    public async Task A_session_survives_a_restart_of_its_node(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Now);
        var cookies = new CookieContainer();
        await SignInOnANodeThatStopsAsync(db, clock, cookies);

        await using var after = Node(db, clock);
        using var again = Browser(after, cookies);
        (await again.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ScalarAsync<long>(db, "SELECT COUNT(*) FROM data_protection_keys")).Should().Be(1, "the restarted node found the key and made none");
    }

    [TestCase(StorageOptions.Sqlite)]
    [TestCase(StorageOptions.Postgres)]
    public async Task Revoking_every_key_ends_the_sessions_and_a_new_key_is_made_at_start(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var clock = new FakeTimeProvider(Now);
        var cookies = new CookieContainer();
        await SignInOnANodeThatStopsAsync(db, clock, cookies);
        // Data Protection dates its keys by the wall clock and revokes those created before the date: revoke as of a
        // millisecond after the key was made (a whole sign-in ago, so before the next key).
        var key = System.Xml.Linq.XElement.Parse((await db.Storage.KeyRingElementsAsync(default)).Single());
        var revokedAt = ((DateTimeOffset)key.Element("creationDate")!).AddMilliseconds(1);
        await db.Storage.StoreKeyRingElementAsync("revocation-all",
            $"<revocation version=\"1\"><revocationDate>{revokedAt:O}</revocationDate><key id=\"*\" /><reason>leaked</reason></revocation>", Now, default);

        await using var after = Node(db, clock);
        using var again = Browser(after, cookies);
        (await again.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.Redirect, "the cookie's key is revoked");
        (await LogInAsync(again, await TokenAsync(again, "/console/login"), Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await again.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ScalarAsync<long>(db, "SELECT COUNT(*) FROM data_protection_keys WHERE friendly_name LIKE 'key-%'")).Should().Be(2);
    }

    [Test]
    public async Task Nodes_starting_together_on_an_empty_database_share_one_key()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres, migrate: false);
        var clock = new FakeTimeProvider(Now);
        await using var one = Node(db, clock);
        await using var two = Node(db, clock);
        using var start = new ManualResetEventSlim();
        var starts = new[] { one, two }.Select(node => Task.Run(() =>
        {
            start.Wait();
            _ = node.Server;
        })).ToArray();
        start.Set();
        await Task.WhenAll(starts);

        (await ScalarAsync<long>(db, "SELECT COUNT(*) FROM data_protection_keys")).Should().Be(1);
        foreach (var (issuer, reader) in new[] { (one, two), (two, one) })
        {
            var cookies = new CookieContainer();
            using var toIssuer = Browser(issuer, cookies);
            using var toReader = Browser(reader, cookies);
            (await LogInAsync(toIssuer, await TokenAsync(toIssuer, "/console/login"), Password)).StatusCode.Should().Be(HttpStatusCode.Redirect);
            (await toReader.GetAsync("/console/journeys")).StatusCode.Should().Be(HttpStatusCode.OK);
        }
    }

    [Test]
    public async Task Failed_sign_ins_racing_on_two_nodes_add_up_and_the_sixth_on_is_refused_on_both()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Postgres);
        var clock = new FakeTimeProvider(Now);
        await using var one = Node(db, clock);
        await using var two = Node(db, clock);
        using var toOne = Browser(one, new CookieContainer());
        using var toTwo = Browser(two, new CookieContainer());
        HttpClient[] browsers = [toOne, toTwo];
        string[] tokens = [await TokenAsync(toOne, "/console/login"), await TokenAsync(toTwo, "/console/login")];

        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return (await LogInAsync(browsers[i % 2], tokens[i % 2], "wrong-password")).StatusCode;
        })).ToArray();
        start.Set();
        var statuses = await Task.WhenAll(attempts);

        statuses.Count(s => s == HttpStatusCode.Unauthorized).Should().Be(LoginThrottle.MaxFailures, "only the first five were checked");
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).Should().Be(16 - LoginThrottle.MaxFailures);
        (await ScalarAsync<int>(db, "SELECT attempts FROM login_attempts WHERE key = 'user:ann'")).Should().Be(16, "no attempt's count was lost");
        for (var i = 0; i < 2; i++)
            (await LogInAsync(browsers[i], tokens[i], Password)).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, $"node {i + 1} refuses even the right password");

        clock.Advance(LoginThrottle.Window);
        (await LogInAsync(toTwo, tokens[1], Password)).StatusCode.Should().Be(HttpStatusCode.Redirect, "the window passed");
        (await ScalarAsync<long>(db, "SELECT COUNT(*) FROM login_attempts")).Should().Be(0, "the sign-in cleared its name's and address's attempts");
        for (var i = 0; i < LoginThrottle.MaxFailures; i++)
            (await LogInAsync(toOne, tokens[0], "wrong-password")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "counting starts again from none");
    }
}
