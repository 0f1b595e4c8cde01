using Automation.Core.Audit;
using Automation.Core.Storage;
using Automation.Server.MarketerConsole;
using Automation.Storage;
using Automation.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Automation.Tests.Server.MarketerConsole;

/// <summary>What a node does with the console users' roles at start: warns once of each user without a role, and audits role changes.</summary>
public sealed class ConsoleRolesAtStartTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 1, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task A_user_without_a_role_is_named_once_as_an_admin_and_a_changed_role_is_audited_at_the_next_start()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var hash = ConsolePasswords.Hash("a-long-password-1");
        var users = new ConsoleOptions { Users = [new ConsoleUser { Name = "ann", PasswordHash = hash, Role = "viewer" }, new ConsoleUser { Name = "old", PasswordHash = hash }] };
        var log = new LinesLogger();
        await new ConsoleRolesAtStart(Options.Create(users), db.Storage, new FakeTimeProvider(Now), log).StartAsync(default);

        log.Lines.Where(l => l.Level == LogLevel.Warning).Select(l => l.Text).Should().Equal(
            "Console user old (Console:Users:1) has no Role: treated as admin, as before roles existed. Set Console:Users:1:Role to viewer, editor, publisher or admin.");

        users.Users[0].Role = "publisher";
        await new ConsoleRolesAtStart(Options.Create(users), db.Storage, new FakeTimeProvider(Now.AddDays(1)), new LinesLogger()).StartAsync(default);
        var changes = (await db.Storage.ReadAsync(new AuditQuery(null, AuditActions.UserRoleChanged, "user:ann", null, null, null, 10), default)).Entries;
        changes.Select(c => (c.Entry.Before, c.Entry.After, c.Entry.Actor)).Should().Equal(
            ("""{"role":"viewer"}""", """{"role":"publisher"}""", AuditActor.System("configuration")),
            (null, """{"role":"viewer"}""", AuditActor.System("configuration")));
    }

    /// <summary>Keeps each line logged, formatted.</summary>
    private sealed class LinesLogger : ILogger<ConsoleRolesAtStart>
    {
        public List<(LogLevel Level, string Text)> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add((logLevel, formatter(state, exception)));
    }
}
