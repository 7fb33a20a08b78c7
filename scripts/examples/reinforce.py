"""Policy-gradient reinforcement learning (REINFORCE, actor-critic, PPO) on a tiny corridor, written as a
PyTorch user writes it (in the shape of PyTorch's reinforcement_learning examples, without gym).

The environment is a deterministic corridor of `--length` cells: the agent starts near the left wall, steps
left or right (or waits), pays a little for every step and for bumping into the wall, and is paid 1 on
reaching the rightmost cell. The policy network maps a one-hot position to action probabilities, a
Categorical distribution over them gives each action's log-probability and the policy's entropy, and after
each episode the discounted returns (computed without a loop, by flip and cumsum), normalised to zero mean
and unit deviation, weight the log-probabilities (REINFORCE, Williams 1992). The actor-critic variant adds a
value head trained with the smooth L1 loss and weights each log-probability by its advantage instead (its
returns by a Python loop over numpy's float64 rewards). PPO (`--algo ppo`) rolls out a few episodes,
estimates advantages by GAE and takes minibatch steps on the clipped surrogate objective.

Only the imports differ from the PyTorch program (tests/examples/test_reinforce.py runs both). So that both
frameworks compute the same numbers, the initial weights and the uniform numbers that choose each action come
from numpy with fixed seeds (an action is found by inverting the policy's cumulative distribution);
`--sampler torch` draws with Categorical.sample from the framework's own generator instead.

    python scripts/examples/reinforce.py --algo reinforce --episodes 40
    python scripts/examples/reinforce.py --algo actor-critic --lr 0.02
    python scripts/examples/reinforce.py --algo ppo --episodes 60
"""
import argparse
from collections import namedtuple
from itertools import count

import numpy as np

import ddp as torch
import ddp.nn as nn
import ddp.nn.functional as F
import ddp.optim as optim
from ddp.distributions import Categorical


class Corridor:
    """A 1-D corridor: states are cells 0 .. length-1, actions 0 (left), 1 (wait), 2 (right)."""

    n_actions = 3

    def __init__(self, length=6, max_steps=30, step_cost=0.02, wall_cost=0.1):
        self.length, self.max_steps = length, max_steps
        self.step_cost, self.wall_cost = step_cost, wall_cost

    def observation(self):
        obs = np.zeros(self.length + 1, dtype=np.float32)
        obs[self.position] = 1.0
        obs[-1] = self.t / self.max_steps  # the time left matters near the step limit
        return obs

    def reset(self):
        self.position, self.t = 1, 0
        return self.observation()

    def step(self, action):
        """(observation, reward, done); the reward is a numpy float64, as many gym environments return."""
        self.t += 1
        target = self.position + (action - 1)
        reward = -self.step_cost - self.wall_cost * np.maximum(0, -target)  # a step into the wall costs more
        self.position = max(target, 0)
        done = self.position == self.length - 1
        if done:
            reward += 1.0
        return self.observation(), reward, done or self.t >= self.max_steps


class Policy(nn.Module):
    """An MLP policy; with `critic=True` a second head estimates the state's value."""

    def __init__(self, n_obs, n_actions, hidden, critic=False):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(n_obs, hidden)
        self.action_head = nn.Linear(hidden, n_actions)
        self.value_head = nn.Linear(hidden, 1) if critic else None
        self.saved_log_probs = []
        self.saved_actions = []
        self.entropies = []
        self.rewards = []

    def forward(self, x):
        x = F.relu(self.affine1(x))
        scores = self.action_head(x)
        if self.value_head is None:
            return F.softmax(scores, dim=-1)
        return scores, self.value_head(x)


SavedAction = namedtuple('SavedAction', ['log_prob', 'value'])


def choose(probs, u):
    """The action whose cumulative probability first exceeds u (inverse-CDF sampling with numpy's u)."""
    cdf = probs.detach().cumsum(dim=-1)
    return torch.searchsorted(cdf, u, right=True).clamp(max=probs.size(-1) - 1).squeeze(-1)


def select_action_reinforce(model, state, args, rng):
    state = torch.from_numpy(state).float().unsqueeze(0)  # a batch of one: probs is (1, n_actions)
    probs = model(state)
    m = Categorical(probs)
    if args.sampler == 'torch':
        action = m.sample()
    else:
        action = choose(probs, torch.tensor([[rng.random()]], dtype=torch.float32))
    model.saved_log_probs.append(m.log_prob(action))
    model.entropies.append(m.entropy())
    return action.item()


def select_action_actor_critic(model, state, args, rng):
    state = torch.from_numpy(state)  # unbatched: logits is (n_actions,), the action a 0-d tensor
    logits, state_value = model(state)
    m = torch.distributions.Categorical(logits=logits)
    if args.sampler == 'torch':
        action = m.sample()
    else:
        action = choose(m.probs.unsqueeze(0), torch.tensor([[rng.random()]]))[0]
    model.saved_actions.append(SavedAction(m.log_prob(action), state_value))
    model.entropies.append(m.entropy())
    return action.item()


def discounted_returns(rewards, gamma, eps):
    """G_t = r_t + gamma G_{t+1}, normalised to zero mean and unit deviation (float64: numpy's rewards)."""
    R = 0
    returns = []
    for r in rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    return (returns - returns.mean()) / (returns.std() + eps)


def discounted_returns_vectorised(rewards, gamma, eps):
    """The same returns without a Python loop: reversed cumulative sums of the discounted rewards."""
    rewards = torch.tensor(rewards, dtype=torch.float32)
    discounts = gamma ** torch.arange(len(rewards), dtype=torch.float32)
    returns = torch.flip(torch.cumsum(torch.flip(rewards * discounts, dims=[0]), dim=0), dims=[0]) / discounts
    return (returns - returns.mean()) / (returns.std() + eps)


def finish_episode_reinforce(model, optimizer, args, eps):
    returns = discounted_returns_vectorised(model.rewards, args.gamma, eps)
    log_probs = torch.cat(model.saved_log_probs)
    entropy = torch.stack(model.entropies).mean()
    loss = -(log_probs * returns).sum() - args.entropy_coef * entropy
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    del model.rewards[:]
    del model.saved_log_probs[:]
    del model.entropies[:]
    return loss.item()


def finish_episode_actor_critic(model, optimizer, args, eps):
    returns = discounted_returns(model.rewards, args.gamma, eps)
    policy_losses, value_losses = [], []
    for (log_prob, value), R in zip(model.saved_actions, returns):
        advantage = R - value.item()
        policy_losses.append(-log_prob * advantage)
        value_losses.append(F.smooth_l1_loss(value, torch.tensor([R])))
    entropy = torch.stack(model.entropies).mean()
    loss = torch.stack(policy_losses).sum() + torch.stack(value_losses).sum() - args.entropy_coef * entropy
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    del model.rewards[:]
    del model.saved_actions[:]
    del model.entropies[:]
    return loss.item()


def run_episodes(model, optimizer, env, args, rng, eps):
    """REINFORCE or actor-critic: one update at the end of every episode."""
    actor_critic = args.algo == 'actor-critic'
    select_action = select_action_actor_critic if actor_critic else select_action_reinforce
    finish_episode = finish_episode_actor_critic if actor_critic else finish_episode_reinforce
    running_reward = None
    for i_episode in count(1):
        state, ep_reward = env.reset(), 0
        for t in range(1, 10000):
            action = select_action(model, state, args, rng)
            state, reward, done = env.step(action)
            model.rewards.append(reward)
            ep_reward += reward
            if done:
                break
        running_reward = ep_reward if running_reward is None else 0.1 * ep_reward + 0.9 * running_reward
        loss = finish_episode(model, optimizer, args, eps)
        print(f'episode {i_episode} steps {t} reward {ep_reward:.3f} loss {loss:.6f}')
        if i_episode % args.log_interval == 0:
            print('Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}'.format(
                i_episode, ep_reward, running_reward))
        if i_episode >= args.episodes:
            break


def run_ppo(model, optimizer, env, args, rng, eps):
    """Proximal policy optimisation (Schulman et al., 2017): roll out a few episodes with the current policy,
    estimate advantages by GAE, then take several minibatch steps on the clipped surrogate objective."""
    model.train()
    for iteration in range(1, args.episodes // args.rollout + 1):
        states, actions, rewards, dones, old_log_probs, values = [], [], [], [], [], []
        with torch.no_grad():
            for _ in range(args.rollout):
                state, done = env.reset(), False
                while not done:
                    logits, value = model(torch.as_tensor(state, dtype=torch.float32))
                    dist = Categorical(logits=logits)
                    action = choose(dist.probs.unsqueeze(0), torch.tensor([[rng.random()]]))[0]
                    states.append(state)
                    actions.append(action)
                    old_log_probs.append(dist.log_prob(action))
                    values.append(value.squeeze(-1))
                    state, reward, done = env.step(action.item())
                    rewards.append(reward)
                    dones.append(done)
        values = torch.stack(values)
        advantages = torch.zeros_like(values)
        last = 0.0
        for t in reversed(range(len(rewards))):  # generalised advantage estimation, episode by episode
            next_value = 0.0 if dones[t] else values[t + 1]
            delta = rewards[t] + args.gamma * next_value - values[t]
            last = delta + args.gamma * args.gae_lambda * (0.0 if dones[t] else last)
            advantages[t] = last
        returns = advantages + values
        states = torch.as_tensor(np.array(states))
        actions = torch.stack(actions)
        old_log_probs = torch.stack(old_log_probs)

        n = len(rewards)
        for epoch in range(args.ppo_epochs):
            for start in range(0, n, args.minibatch):
                idx = torch.from_numpy(rng.permutation(n)[:args.minibatch])
                logits, value = model(states[idx])
                dist = Categorical(logits=logits)
                log_probs = dist.log_prob(actions[idx])
                adv = advantages[idx]
                adv = (adv - adv.mean()) / (adv.std() + eps)
                ratio = (log_probs - old_log_probs[idx]).exp()
                surrogate = torch.min(ratio * adv, torch.clamp(ratio, 1 - args.clip_ratio, 1 + args.clip_ratio) * adv)
                value_loss = F.mse_loss(value.squeeze(-1), returns[idx])
                loss = -surrogate.mean() + 0.5 * value_loss - args.entropy_coef * dist.entropy().mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 0.5)
                optimizer.step()
                approx_kl = (old_log_probs[idx] - log_probs).mean().item()
        episode_reward = sum(rewards) / args.rollout
        print(f'iteration {iteration} steps {n} reward {episode_reward:.3f} loss {loss.item():.6f} '
              f'kl {approx_kl:.6f}')


def reset_parameters_from_numpy(model, seed):
    """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights from numpy: makes both frameworks start equal."""
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            bound = 1.0 / np.sqrt(p.shape[-1])
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))


def main():
    parser = argparse.ArgumentParser(description='REINFORCE, actor-critic and PPO on a corridor')
    parser.add_argument('--algo', choices=['reinforce', 'actor-critic', 'ppo'], default='reinforce')
    parser.add_argument('--gamma', type=float, default=0.95, metavar='G', help='discount factor')
    parser.add_argument('--lr', type=float, default=1e-2)
    parser.add_argument('--hidden', type=int, default=32)
    parser.add_argument('--length', type=int, default=6)
    parser.add_argument('--entropy-coef', type=float, default=0.01)
    parser.add_argument('--episodes', type=int, default=40)
    parser.add_argument('--sampler', choices=['numpy', 'torch'], default='numpy')
    parser.add_argument('--seed', type=int, default=543)
    parser.add_argument('--log-interval', type=int, default=10)
    parser.add_argument('--rollout', type=int, default=4, help='PPO: episodes per iteration')
    parser.add_argument('--ppo-epochs', type=int, default=3)
    parser.add_argument('--minibatch', type=int, default=32)
    parser.add_argument('--clip-ratio', type=float, default=0.2)
    parser.add_argument('--gae-lambda', type=float, default=0.9)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    env = Corridor(args.length)
    actor_critic = args.algo in ('actor-critic', 'ppo')
    model = Policy(args.length + 1, env.n_actions, args.hidden, critic=actor_critic)
    reset_parameters_from_numpy(model, args.seed + 1)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    eps = torch.finfo(torch.float32).eps

    if args.algo == 'ppo':
        run_ppo(model, optimizer, env, args, rng, eps)
    else:
        run_episodes(model, optimizer, env, args, rng, eps)

    with torch.no_grad():  # the greedy policy's path from the start
        state, path = env.reset(), [env.position]
        for _ in range(env.max_steps):
            out = model(torch.from_numpy(state))
            scores = out[0] if actor_critic else out
            state, _, done = env.step(scores.argmax(dim=-1).item())
            path.append(env.position)
            if done:
                break
    print('greedy path: ' + ' '.join(map(str, path)))


if __name__ == '__main__':
    main()
