using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>
/// The console users and their roles, as the configuration gives them now. Users are changed in the configuration
/// (<c>Console:Users</c>, made with <c>automation console-user NAME --role ROLE</c>), reviewed like the rest of it;
/// each change is in the audit log from the next start.
/// </summary>
[ConsoleRole(ConsoleRole.Admin)]
internal sealed class UsersModel(IOptionsMonitor<ConsoleOptions> options) : PageModel
{
    public IReadOnlyList<(string Name, ConsoleRole Role, bool Configured)> Users { get; private set; } = [];

    public void OnGet() => Users = [.. options.CurrentValue.Users.Select(u => (u.Name, u.EffectiveRole, !string.IsNullOrWhiteSpace(u.Role)))];
}
