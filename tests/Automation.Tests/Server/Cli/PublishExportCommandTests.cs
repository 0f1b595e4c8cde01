using System.Text;
using Automation.Core.Audit;
using Automation.Core.Storage;
using Automation.Storage;
using Automation.Tests.Support;

namespace Automation.Tests.Server.Cli;

/// <summary>
/// <c>automation publish</c> and <c>automation export</c> on both databases: a folder published as a version (validated
/// first, by the user running it), exported back byte for byte into a folder replaced whole, and the errors that leave
/// everything as it was.
/// </summary>
[TestFixture(StorageOptions.Sqlite)]
[TestFixture(StorageOptions.Postgres)]
public sealed class PublishExportCommandTests(string provider)
{
    private const string Welcome = """
        { "WorkflowName": "welcome", "Trigger": { "Event": "Signed Up" },
          "Rules": [ { "RuleName": "hello", "Expression": "true", "Actions": { "OnSuccess": { "Name": "Send", "Context": { "Channel": "email", "Template": "welcome/hello" } } } } ] }
        """;

    // A byte order mark, Windows line ends and Chinese: what a round trip must not touch.
    private static readonly byte[] Hello = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("---\r\nsubject: 你好\r\n---\r\n<p>你好，{{ customer.first_name }}</p>\r\n")];

    private TestDatabase _db = null!;
    private DirectoryInfo _root = null!;

    [SetUp]
    public async Task SetUp()
    {
        _db = await TestDatabase.CreateAsync(provider);
        _root = Directory.CreateTempSubdirectory("automation-publish-");
        Write("rules/welcome.json", Encoding.UTF8.GetBytes(Welcome));
        Write("rules/segments/everyone.json", """{ "Expression": "stats.OrderCount >= 0" }"""u8.ToArray());
        Write("templates/welcome/hello.email.zh-CN.liquid", Hello);
    }

    [TearDown]
    public async Task TearDown()
    {
        _root.Delete(recursive: true);
        await _db.DisposeAsync();
    }

    private void Write(string path, byte[] bytes)
    {
        var file = Path.Combine(_root.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, bytes);
    }

    private Task<(int Code, string Out, string Err)> Run(params string[] args) =>
        AutomationCli.RunAsync([.. args, "--contentRoot", _root.FullName, "--Storage:Provider", _db.Provider, "--Storage:ConnectionString", _db.ConnectionString]);

    [Test]
    public async Task A_published_folder_exports_back_byte_for_byte()
    {
        var (code, output, errors) = await Run("publish", "--message", "First journeys", "--author", "ann");
        code.Should().Be(0, errors);
        output.Should().StartWith("Published version 1 (3 file(s) changed): First journeys");
        var head = (await _db.Storage.HeadAsync(default))!;
        (head.Author, head.Message).Should().Be(("ann", "First journeys"));
        (await _db.Storage.ReadAsync(new AuditQuery(null, AuditActions.ContentPublish, null, null, null, null, 10), default)).Entries.Should().ContainSingle()
            .Which.Entry.Actor.Should().Be(AuditActor.Cli("ann"));

        (await Run("publish")).Out.Should().Contain("Nothing to publish: the folders are version 1 as published.");

        var target = Path.Combine(_root.FullName, "exported");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "stale.txt"), "from before");
        var exported = await Run("export", target);
        exported.Code.Should().Be(0, exported.Err);
        exported.Out.Should().Contain("Version 1 (3 file(s), ann: First journeys) written to");
        File.ReadAllBytes(Path.Combine(target, "templates/welcome/hello.email.zh-CN.liquid")).Should().Equal(Hello);
        File.ReadAllText(Path.Combine(target, "rules/welcome.json")).Should().Be(Welcome);
        File.Exists(Path.Combine(target, "stale.txt")).Should().BeFalse("the folder is replaced whole");
        Directory.EnumerateFileSystemEntries(_root.FullName).Select(Path.GetFileName).Should().BeEquivalentTo(["rules", "templates", "exported"], "nothing partial is left beside it");
    }

    [Test]
    public async Task A_folder_that_fails_validation_or_a_stale_base_publishes_nothing()
    {
        Write("rules/welcome.json", Encoding.UTF8.GetBytes(Welcome.Replace("welcome/hello", "welcome/missing")));
        var (code, _, errors) = await Run("publish");
        code.Should().Be(1);
        errors.Should().StartWith("rules/welcome.json:2 hello:").And.Contain("welcome/missing").And.Contain("nothing published");
        (await _db.Storage.HeadAsync(default)).Should().BeNull();

        Write("rules/welcome.json", Encoding.UTF8.GetBytes(Welcome));
        (await Run("publish")).Code.Should().Be(0);
        Write("templates/welcome/hello.email.zh-CN.liquid", Encoding.UTF8.GetBytes("---\nsubject: 您好\n---\n<p>您好</p>\n"));
        var stale = await Run("publish", "--base", "0");
        stale.Code.Should().Be(1);
        stale.Err.Should().Contain("version 1 was published after version 0").And.Contain("--base 1");
        (await _db.Storage.HeadAsync(default))!.Id.Should().Be(1);
    }

    [Test]
    public async Task Exporting_a_version_that_does_not_exist_writes_nothing()
    {
        var target = Path.Combine(_root.FullName, "out");
        var nothing = await Run("export", target);
        (nothing.Code, nothing.Err.Trim()).Should().Be((1, "error: no content version is published yet (automation publish makes one)"));
        (await Run("publish")).Code.Should().Be(0);
        var missing = await Run("export", target, "--version", "7");
        (missing.Code, missing.Err.Trim()).Should().Be((1, "error: there is no content version 7"));
        Directory.Exists(target).Should().BeFalse();
    }
}
