using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole;

/// <summary>The <c>Console</c> section: who may sign in to the marketer console, and for how long.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>Users and their password hashes, as <c>automation console-user NAME</c> prints them. None: nobody can sign in.</summary>
    public List<ConsoleUser> Users { get; set; } = [];

    /// <summary>Minutes a sign-in lasts, counted from the sign-in, however busy the session (absolute, not sliding).</summary>
    public int SessionMinutes { get; set; } = 60;

    /// <summary>Minutes an analytics report is reused before it is computed again; the page shows when it was computed.</summary>
    public int ReportCacheMinutes { get; set; } = 5;

    internal ConsoleUser? Find(string name) => Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A console user: a name, a password hash in ASP.NET Core Identity's format (never the password) and a role.</summary>
public sealed class ConsoleUser
{
    public string Name { get; set; } = "";
    public string PasswordHash { get; set; } = "";

    /// <summary>
    /// viewer, editor, publisher or admin (<see cref="ConsoleRole"/>). Missing: admin, as every user was before roles
    /// existed, so an installation keeps working; the start-up log names such users once.
    /// </summary>
    public string? Role { get; set; }

    /// <summary>The user's role: <see cref="Role"/> read (the validator refused anything else at start), admin when missing.</summary>
    internal ConsoleRole EffectiveRole => string.IsNullOrWhiteSpace(Role) ? ConsoleRole.Admin
        : ConsoleRoles.TryParse(Role, out var role) ? role : throw new InvalidOperationException($"Console user {Name} has the unknown role '{Role}'.");
}

/// <summary>Checks the users and the session length, naming the setting at fault.</summary>
internal sealed class ConsoleOptionsValidator : IValidateOptions<ConsoleOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsoleOptions options)
    {
        var failures = new List<string>();
        if (options.SessionMinutes is < 1 or > 7 * 24 * 60)
            failures.Add($"{ConsoleOptions.Section}:SessionMinutes must be from 1 to {7 * 24 * 60} (a week).");
        if (options.ReportCacheMinutes is < 0 or > 24 * 60)
            failures.Add($"{ConsoleOptions.Section}:ReportCacheMinutes must be from 0 (no cache) to {24 * 60}.");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var at = $"{ConsoleOptions.Section}:Users:{i}";
            if (string.IsNullOrWhiteSpace(user.Name) || user.Name.Any(char.IsWhiteSpace))
                failures.Add($"{at}:Name must be a name without spaces.");
            else if (!names.Add(user.Name))
                failures.Add($"{at}:Name '{user.Name}' is listed twice.");
            if (!string.IsNullOrWhiteSpace(user.Role) && !ConsoleRoles.TryParse(user.Role, out _))
                failures.Add($"{at}:Role '{user.Role}' is not a role; use one of {string.Join(", ", ConsoleRoles.Words)} (missing: admin).");
            if (!ConsolePasswords.IsHash(user.PasswordHash))
                failures.Add($"{at}:PasswordHash is not a password hash; make one with `automation console-user {(string.IsNullOrWhiteSpace(user.Name) ? "NAME" : user.Name)}`.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Hashes and checks console passwords with ASP.NET Core Identity's hasher (PBKDF2, salted, its version 3 format).</summary>
internal static class ConsolePasswords
{
    public const int MinimumLength = 12;

    private static readonly PasswordHasher<ConsoleUser> Hasher = new();

    /// <summary>Checked against when the name is unknown, so a wrong name costs the same time as a wrong password.</summary>
    private static readonly string DecoyHash = Hasher.HashPassword(new ConsoleUser(), Guid.NewGuid().ToString());

    public static string Hash(string password) => Hasher.HashPassword(new ConsoleUser(), password);

    /// <summary>True when <paramref name="password"/> is the user's; false for an unknown user, after the same work.</summary>
    public static bool Verify(ConsoleUser? user, string password)
    {
        var result = Hasher.VerifyHashedPassword(user ?? new ConsoleUser(), user?.PasswordHash ?? DecoyHash, password);
        return user is not null && result != PasswordVerificationResult.Failed;
    }

    /// <summary>The version 3 format: a 0x01 marker, PRF, iteration count, salt length, salt and subkey, in base64.</summary>
    public static bool IsHash(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var length) && length >= 13 + 16 + 32 && bytes[0] == 0x01;
    }
}
