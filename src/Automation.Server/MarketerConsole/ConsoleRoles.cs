using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Automation.Server.MarketerConsole;

/// <summary>What a console user may do, each role everything the one before it may and more.</summary>
public enum ConsoleRole
{
    /// <summary>Reads every page but the audit log and the users; changes nothing.</summary>
    Viewer = 1,

    /// <summary>Also drafts, previews and simulates.</summary>
    Editor = 2,

    /// <summary>Also publishes and rolls back, and reads the audit log.</summary>
    Publisher = 3,

    /// <summary>Also suppressions, broadcasts, bulk personal data (a segment's members) and the users page.</summary>
    Admin = 4,
}

/// <summary>
/// The console's authorization policies, one per role: a page or handler names the least role it needs
/// (<c>[Authorize(Policy = ConsoleRoles.Admin)]</c>), and a user holding that role or a higher one passes. The role
/// is read from the current configuration on every request (<see cref="ConsoleServices"/>), so a demoted or removed
/// user loses access on the next request, on every node.
/// </summary>
public static class ConsoleRoles
{
    /// <summary>Any signed-in console user: the read pages.</summary>
    public const string Viewer = "console-viewer";

    /// <summary>Editors and up: drafts, preview, simulate.</summary>
    public const string Editor = "console-editor";

    /// <summary>Publishers and up: publish, rollback, the audit log.</summary>
    public const string Publisher = "console-publisher";

    /// <summary>Admins: suppressions, broadcasts, bulk personal data, users.</summary>
    public const string Admin = "console-admin";

    /// <summary>The claim holding the user's role word, as configured (<c>viewer</c>, <c>editor</c>, <c>publisher</c>, <c>admin</c>).</summary>
    public const string Claim = "console_role";

    /// <summary>The role words of <c>Console:Users:N:Role</c>, lowest first.</summary>
    public static readonly IReadOnlyList<string> Words = [.. Enum.GetValues<ConsoleRole>().Select(Word)];

    public static string Word(ConsoleRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Reads a role word (case-insensitive); false for anything else.</summary>
    public static bool TryParse(string? word, out ConsoleRole role)
    {
        role = default;
        return word is not null && Words.Contains(word.Trim().ToLowerInvariant()) && Enum.TryParse(word.Trim(), ignoreCase: true, out role);
    }

    /// <summary>The signed-in user's role, from the claim the request's principal carries; null for anyone else.</summary>
    public static ConsoleRole? Of(ClaimsPrincipal user) => TryParse(user.FindFirstValue(Claim), out var role) ? role : null;

    /// <summary>True when <paramref name="user"/> holds <paramref name="least"/> or a higher role: what a page asks before offering an action.</summary>
    public static bool Can(ClaimsPrincipal user, ConsoleRole least) => Of(user) >= least;

    internal static void AddPolicies(AuthorizationBuilder authorization)
    {
        foreach (var (policy, least) in new[] { (Viewer, ConsoleRole.Viewer), (Editor, ConsoleRole.Editor), (Publisher, ConsoleRole.Publisher), (Admin, ConsoleRole.Admin) })
            authorization.AddPolicy(policy, p => p.AddAuthenticationSchemes(ConsoleServices.Scheme).RequireAuthenticatedUser()
                .RequireAssertion(context => Can(context.User, least)));
    }
}
