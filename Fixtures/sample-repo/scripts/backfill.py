#!/usr/bin/env python3
"""Backfill script.

def not_a_function_in_docstring():
    pass
"""
import asyncio
import argparse

SQL = "def also_not_a_function(): pass"
TEMPLATE = f"{'def'} in an f-string {SQL!r:>10} def nope():"


def undefined_behaviour_guard(x):  # the name contains "def"
    define = x  # define( is not a def
    return define


async def fetch(day):
    await asyncio.sleep(0)
    return day


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args(argv)

    def run_day(day):
        return asyncio.run(fetch(day))

    return [run_day(d) for d in range(args.days)]


if __name__ == "__main__":
    main()
