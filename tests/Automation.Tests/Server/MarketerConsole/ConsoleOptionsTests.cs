using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>Console users in configuration: what <c>automation console-user</c> prints, and the errors bad entries get.</summary>
public sealed class ConsoleOptionsTests
{
    private static ConsoleOptions With(params ConsoleUser[] users) => new() { Users = [.. users] };

    [Test]
    public async Task Console_user_prints_an_entry_whose_hash_checks_the_password_and_never_the_password()
    {
        var (code, output, _) = await AutomationCli.RunAsync(["console-user", "ann"], "a-long-password-1\n");
        code.Should().Be(0);

        var entry = System.Text.Json.JsonSerializer.Deserialize<ConsoleUser>(output)!;
        entry.Name.Should().Be("ann");
        output.Should().NotContain("a-long-password-1").And.NotContain("\\u002B");
        ConsolePasswords.Verify(entry, "a-long-password-1").Should().BeTrue();
        ConsolePasswords.Verify(entry, "a-long-password-2").Should().BeFalse();
        new ConsoleOptionsValidator().Validate(null, With(entry)).Succeeded.Should().BeTrue();
    }

    [Test]
    public async Task Console_user_refuses_a_short_password_and_a_missing_name()
    {
        var (code, _, errors) = await AutomationCli.RunAsync(["console-user", "ann"], "short\n");
        code.Should().Be(2);
        errors.Should().Contain("at least 12 characters");
        (await AutomationCli.RunAsync(["console-user"], "a-long-password-1\n")).Code.Should().Be(2);
        (await AutomationCli.RunAsync(["console-user", "a b"], "a-long-password-1\n")).Err.Should().StartWith("error: the user name must be one word without spaces.");
    }

    [Test]
    public void Bad_entries_are_named_by_their_setting()
    {
        var good = ConsolePasswords.Hash("a-long-password-1");
        var result = new ConsoleOptionsValidator().Validate(null, new ConsoleOptions
        {
            SessionMinutes = 0,
            Users =
            [
                new ConsoleUser { Name = "ann", PasswordHash = "plain-text-password" },
                new ConsoleUser { Name = "ANN", PasswordHash = good },
                new ConsoleUser { Name = "", PasswordHash = good },
            ],
        });
        result.Failures.Should().BeEquivalentTo(
            "Console:SessionMinutes must be from 1 to 10080 (a week).",
            "Console:Users:0:PasswordHash is not a password hash; make one with `automation console-user ann`.",
            "Console:Users:1:Name 'ANN' is listed twice.",
            "Console:Users:2:Name must be a name without spaces.");
    }

    [Test]
    public async Task Console_user_prints_the_role_given_and_viewer_when_none_is()
    {
        var (code, output, _) = await AutomationCli.RunAsync(["console-user", "eve", "--role", "editor"], "a-long-password-1\n");
        code.Should().Be(0);
        var entry = System.Text.Json.JsonSerializer.Deserialize<ConsoleUser>(output)!;
        (entry.Name, entry.Role).Should().Be(("eve", "editor"));
        new ConsoleOptionsValidator().Validate(null, With(entry)).Succeeded.Should().BeTrue();

        var (_, least, _) = await AutomationCli.RunAsync(["console-user", "vic"], "a-long-password-1\n");
        System.Text.Json.JsonSerializer.Deserialize<ConsoleUser>(least)!.Role.Should().Be("viewer", "the least role unless another is asked for");

        var (refused, _, errors) = await AutomationCli.RunAsync(["console-user", "eve", "--role", "owner"], "a-long-password-1\n");
        refused.Should().Be(2);
        errors.Should().Contain("--role must be one of viewer, editor, publisher, admin.");
    }

    [Test]
    public void An_unknown_role_is_named_by_its_setting_and_a_missing_one_is_admin()
    {
        var hash = ConsolePasswords.Hash("a-long-password-1");
        var options = With(new ConsoleUser { Name = "ann", PasswordHash = hash, Role = "admin" }, new ConsoleUser { Name = "vic", PasswordHash = hash, Role = "Viewer" },
            new ConsoleUser { Name = "old", PasswordHash = hash }, new ConsoleUser { Name = "bob", PasswordHash = hash, Role = "owner" });
        new ConsoleOptionsValidator().Validate(null, options).Failures.Should().Equal(
            "Console:Users:3:Role 'owner' is not a role; use one of viewer, editor, publisher, admin (missing: admin).");
        options.Users.Take(3).Select(u => u.EffectiveRole).Should().Equal(ConsoleRole.Admin, ConsoleRole.Viewer, ConsoleRole.Admin);
    }

    [Test]
    public async Task Without_users_the_login_page_says_how_to_add_one()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        await using var factory = new AutomationFactory(db, new FakeTimeProvider());
        using var client = factory.CreateClient();
        (await client.GetStringAsync("/console/login")).Should().Contain("No console users are configured").And.Contain("automation console-user NAME");
    }
}
