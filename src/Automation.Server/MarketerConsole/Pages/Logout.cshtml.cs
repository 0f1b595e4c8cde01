using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Automation.Server.MarketerConsole.Pages;

/// <summary>Ends the session; only by POST with the antiforgery token, so another site cannot log a user out.</summary>
internal sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Journeys");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleServices.Scheme);
        return RedirectToPage("/Login");
    }
}
