using Akka.Actor;
using Akka.Configuration;

namespace RControl.Tests.Core;

public sealed class AttachTests
{
    [Fact]
    public async Task Attaches_to_a_host_actor_system_without_reference_config_and_leaves_it_running()
    {
        using var host = ActorSystem.Create("host-app", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var rc = RControlSystem.Attach(host);
        var session = rc.CreateLocalSession("embedded");
        var lines = new List<string>();
        Assert.Equal(0, await session.Execute("echo hi", new CommandOptions { OnStdout = (_, l) => lines.Add(l) }).WaitAsync());
        Assert.Equal(["hi"], lines);
        await session.CloseAsync();
        await rc.DisposeAsync();
        Assert.False(host.WhenTerminated.IsCompleted);
        Assert.True(host.Settings.Config.HasPath("rcontrol.readers.window"));
    }

    [Fact]
    public async Task Create_from_bad_hocon_names_the_line()
    {
        var error = Assert.Throws<ConfigurationException>(() => RControlSystem.Create("rcontrol {\n readers { window = 4 \n}"));
        Assert.Contains("line 1", error.Message);
        await using var rc = RControlSystem.Create("rcontrol.readers.window = 2");
        Assert.Equal(2, RControl.Configuration.RControlSettings.Get(rc.ActorSystem).Readers.Window);
    }
}
