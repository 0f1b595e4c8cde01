namespace Automation.Server.Cli;

/// <summary>A clock the simulator moves by hand, so days pass in a moment.</summary>
internal sealed class VirtualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
