using System.Diagnostics;
using Npgsql;

namespace Automation.Benchmarks.Load;

/// <summary>
/// The processor time a PostgreSQL server on this machine used: its backends and its own workers (checkpointer, WAL
/// writer, autovacuum), as <c>pg_stat_activity</c> lists them, read from the operating system. Under ingestion most of
/// an event's CPU on PostgreSQL is the server's, which the benchmark process's own figure leaves out.
/// </summary>
internal sealed class PostgresServerCpu
{
    private readonly string _connectionString;
    private Dictionary<int, TimeSpan> _start = [];

    private PostgresServerCpu(string connectionString) => _connectionString = connectionString;

    /// <summary>
    /// Starts counting; null when the server's processes cannot be read here (another machine, or a container with
    /// its own process ids) — then only the benchmark process's CPU is reported.
    /// </summary>
    public static async Task<PostgresServerCpu?> StartAsync(string connectionString)
    {
        var cpu = new PostgresServerCpu(connectionString);
        // The list holds the backend asking at least: none read means none can be.
        cpu._start = await cpu.ProcessesAsync();
        return cpu._start.Count == 0 ? null : cpu;
    }

    /// <summary>
    /// The server's processor time since <see cref="StartAsync"/>: the growth of processes listed then and now, and the
    /// whole time of those that started since (a backend that exited in between is not counted: the pool keeps them).
    /// </summary>
    public async Task<TimeSpan> ElapsedAsync()
    {
        var now = await ProcessesAsync();
        return now.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Value - _start.GetValueOrDefault(p.Key));
    }

    private async Task<Dictionary<int, TimeSpan>> ProcessesAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity", connection);
        var processes = new Dictionary<int, TimeSpan>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            if (Read(reader.GetInt32(0)) is { } time) processes[reader.GetInt32(0)] = time;
        return processes;
    }

    private static TimeSpan? Read(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // A backend's name is its title ("postgres: user database host"), set by the server.
            return process.ProcessName.StartsWith("postgres", StringComparison.Ordinal) ? process.TotalProcessorTime : null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
