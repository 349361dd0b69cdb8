using Renci.SshNet;

namespace RControl.Transports.Ssh.Agent;

/// <summary>The keys of the ssh-agent named by <c>SSH_AUTH_SOCK</c>, as SSH.NET key sources.</summary>
internal static class AgentKeys
{
    /// <summary>The agent's keys; none when there is no agent or it cannot be read (then files and passwords are tried, as ssh does).</summary>
    public static IReadOnlyList<IPrivateKeySource> FromEnvironment()
    {
        if (SshAgentClient.FromEnvironment() is not { } agent)
        {
            return [];
        }

        try
        {
            return agent.RequestIdentities().Select(identity => (IPrivateKeySource)new AgentKeySource(agent, identity)).ToArray();
        }
        catch (SshAgentException)
        {
            return [];
        }
    }
}
