using Automation.Storage.Postgres;
using Npgsql;

namespace Automation.Tests.Storage;

/// <summary>Repeated statements are prepared unless the operator's connection string says otherwise.</summary>
public sealed class PostgresPreparedStatementsTests
{
    [Test]
    public void A_connection_string_without_a_choice_prepares_statements_after_their_second_use()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresStorage.WithPreparedStatements("Host=db;Username=app"));
        builder.MaxAutoPrepare.Should().Be(256);
        builder.AutoPrepareMinUsages.Should().Be(2);
        builder.Host.Should().Be("db");
    }

    [TestCase("Host=db;Max Auto Prepare=0")]
    [TestCase("Host=db;MaxAutoPrepare=0")]
    public void The_operators_own_setting_stays(string connectionString)
    {
        new NpgsqlConnectionStringBuilder(PostgresStorage.WithPreparedStatements(connectionString)).MaxAutoPrepare.Should().Be(0);
    }
}
