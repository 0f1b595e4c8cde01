using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Automation.Server.MarketerConsole;

namespace Automation.Server.Cli;

/// <summary>
/// <c>automation console-user NAME [--role ROLE]</c>: reads a password from the first line of standard input and prints
/// the <c>Console:Users</c> entry for it, with the password hashed and the role (viewer unless given: the least one);
/// the password itself is stored nowhere.
/// </summary>
internal static class ConsoleUserCommand
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string Usage = "usage: echo 'a long password' | automation console-user NAME [--role viewer|editor|publisher|admin]";

    public static Command Create(TextReader input)
    {
        var name = new Argument<string>("NAME") { Description = "the user name, without spaces" };
        name.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is var value && (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace)))
                result.AddError("the user name must be one word without spaces.");
        });
        var role = new Option<string>("--role")
        {
            HelpName = "ROLE", Description = $"what the user may do: {string.Join(", ", ConsoleRoles.Words)} (docs/console.md)",
            DefaultValueFactory = _ => ConsoleRoles.Word(ConsoleRole.Viewer),
        };
        role.Validators.Add(result =>
        {
            if (!ConsoleRoles.TryParse(result.GetValueOrDefault<string>(), out _))
                result.AddError($"--role must be one of {string.Join(", ", ConsoleRoles.Words)}.");
        });
        var command = new Command("console-user", $"Make a console user's password hash; the password is read from standard input ({Usage}).") { name, role };
        command.SetAction(result => Run(result.GetRequiredValue(name), result.GetRequiredValue(role), input, result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string name, string role, TextReader input, TextWriter output, TextWriter errors)
    {
        var password = input.ReadLine();
        if (password is null || password.Length < ConsolePasswords.MinimumLength)
        {
            errors.WriteLine($"error: the password (read from standard input) must be at least {ConsolePasswords.MinimumLength} characters long. {Usage}");
            return 2;
        }
        // The option's validator let only a role word through.
        var entry = new ConsoleUser { Name = name, PasswordHash = ConsolePasswords.Hash(password), Role = role.Trim().ToLowerInvariant() };
        // Relaxed escaping: a base64 '+' stays '+' rather than \u002B, so the entry reads as it will be pasted.
        output.WriteLine(JsonSerializer.Serialize(entry, Relaxed));
        errors.WriteLine($"Add this entry to the list \"Console\": {{ \"Users\": [ ... ] }} in appsettings.json, or set Console__Users__N__Name, Console__Users__N__PasswordHash and Console__Users__N__Role.");
        return 0;
    }
}
