"""qsym: symbolic-analytic derivations for open quantum systems, verified numerically.

Pipeline (one frozen object per stage, each renders as LaTeX)::

    model = qs.OpenSystem(H, couplings=[qs.Coupling(q1.sm, A), ...])
    me    = qs.global_master_equation(model)      # Born-Markov + secular (Davies)
    ss    = me.steady_state()                     # closed form, structure-exploiting
    qA    = me.heat_current("A", ss)              # Tr[H_S D_A(rho_ss)], > 0 into the system
    qs.verify(qA, me, bath="A")                   # independent numeric solver

Conventions: hbar = k_B = 1; heat currents positive into the system; qubit basis
(|+>, |->) with sigma_z = diag(1, -1).
"""
from .algebra.operators import (Operator as Operator, Site as Site, Space as Space, bosons as bosons,
                                dag as dag, fermions as fermions, qubits as qubits, sites as sites,
                                tensor as tensor)
from .algebra.spectrum import NumericOnlyError as NumericOnlyError, Spectrum as Spectrum, spectrum as spectrum
from .algebra.symbols import (DefinedSymbol as DefinedSymbol, expand_definitions as expand_definitions,
                              symbols as symbols)
from .baths import (BosonicBath as BosonicBath, FermionicBath as FermionicBath, FlatSpectrum as FlatSpectrum,
                    LorentzianSpectrum as LorentzianSpectrum, NegativeFrequencyError as NegativeFrequencyError,
                    OhmicSpectrum as OhmicSpectrum, UndefinedSpectrum as UndefinedSpectrum,
                    bose_occupation as bose_occupation, expand_occupations as expand_occupations,
                    fermi_occupation as fermi_occupation, ThermalizerBath as ThermalizerBath,
                    BoltzmannFactor as BoltzmannFactor, boltzmann_factor as boltzmann_factor)
from .asymptotics import (Limit as Limit, RegimeError as RegimeError, check_limit as check_limit,
                          dispersive as dispersive, high_temperature as high_temperature,
                          low_temperature as low_temperature, resonance as resonance,
                          temperature_bias as temperature_bias, verify_limit as verify_limit,
                          weak_coupling as weak_coupling, weak_dissipation as weak_dissipation)
from .derivation import Record as Record, Result as Result, check_result as check_result
from .dynamics.bohr import eigenoperators as eigenoperators
from .dynamics.davies import SecularityWarning as SecularityWarning, global_master_equation as global_master_equation
from .dynamics.local import local_master_equation as local_master_equation
from .dynamics.master import MasterEquation as MasterEquation
from .dynamics.redfield import (RedfieldMasterEquation as RedfieldMasterEquation,
                                bloch_redfield_master_equation as bloch_redfield_master_equation,
                                first_order_steady_state as first_order_steady_state)
from .dynamics.steady import NonUniqueSteadyStateError as NonUniqueSteadyStateError, SteadyState as SteadyState
from .latex import latex as latex
from .model import Coupling as Coupling, Dissipator as Dissipator, OpenSystem as OpenSystem
from .numeric.functions import to_numeric as to_numeric
from .dynamics.collision import (CollisionError as CollisionError, CollisionMap as CollisionMap,
                                 CollisionModel as CollisionModel, collision_model as collision_model,
                                 l1_coherence as l1_coherence)
from .numeric.collision import CollisionSolver as CollisionSolver
from .dynamics.gaussian import (QuadraticSystem as QuadraticSystem, quadratic_system as quadratic_system,
                                uniform_blocks as uniform_blocks)
from .numeric.gaussian import GaussianSolver as GaussianSolver
from .dynamics.moments import (MomentMasterEquation as MomentMasterEquation,
                               moment_master_equation as moment_master_equation)
from .numeric.redfield import (DeviationScan as DeviationScan, RedfieldSolver as RedfieldSolver,
                              compare_secular_redfield as compare_secular_redfield,
                              plot_deviation_map as plot_deviation_map,
                              redfield_liouvillian as redfield_liouvillian, redfield_steady_state as redfield_steady_state,
                              secular_redfield_deviation as secular_redfield_deviation)
from .numeric.precise import PreciseSolver as PreciseSolver
from .numeric.solver import NumericSolver as NumericSolver, gibbs_state as gibbs_state
from .numeric.targets import (ChannelHeatCurrent as ChannelHeatCurrent, Coherence as Coherence, Energy as Energy,
                              EntropyProduction as EntropyProduction, HeatCurrent as HeatCurrent,
                              MatrixElementSquared as MatrixElementSquared, Population as Population, Rate as Rate,
                              ProjectorElement as ProjectorElement, KernelElement as KernelElement,
                              TransitionFrequency as TransitionFrequency)
from .numeric.verify import VerificationReport as VerificationReport, verify as verify
from .secondlaw import (SecondLawCertificate as SecondLawCertificate, certify_currents as certify_currents,
                        search_counterexample as search_counterexample,
                        second_law_certificate as second_law_certificate)
from .thermo import (dissipator_power as dissipator_power, energy_balance as energy_balance, entropy_production as entropy_production,
                     flux_form as flux_form, heat_current as heat_current, heat_currents as heat_currents)

from .report import DerivationReport as DerivationReport, derive as derive
from .steps import Step as Step
from .qutip_bridge import QutipSystem as QutipSystem, to_qutip as to_qutip
from .sweep import (NumericObservable as NumericObservable, SweepError as SweepError, SweepResult as SweepResult,
                    sweep as sweep)

__version__ = "0.1.0"
